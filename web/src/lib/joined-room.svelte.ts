import type { ChatMessage, Member } from '$protocol';
import { presenceNotices, type PresenceNotice } from './presence-notices';
import { RoomTimeline } from './room-timeline.svelte';

/** `joining` covers the first join and every re-join after a reconnect. */
export type RoomStatus = 'idle' | 'joining' | 'joined';

/** A presence notice placed in the timeline after the seq it followed. */
export interface PlacedNotice extends PresenceNotice {
  readonly key: number;
  /** The last seq held when the change was seen: it shows after it. */
  readonly afterSeq: number;
  readonly at: number;
}

/** A typing notice is shown this long after the last one came. */
const TYPING_SHOWN_MS = 5_000;

/**
 * A departure is told only after this long: a tab sent to another instance
 * (its own drained) is gone for a moment, then back elsewhere, and that
 * is a move, not a leave and a join.
 */
const LEFT_AFTER_MS = 3_000;

/** Notices kept per room; older ones give way. */
const MAX_NOTICES = 200;

/**
 * What this tab holds of one room it has joined: its status, members,
 * timeline, unread count, presence notices and who is typing. Kept while
 * the user looks at another room, so that switching back loses nothing.
 */
export class JoinedRoom {
  readonly name: string;
  status: RoomStatus = $state('joining');
  members: readonly Member[] = $state.raw([]);
  timeline: RoomTimeline | null = $state.raw(null);
  /** Messages that arrived while the room was not on screen. */
  unread = $state(0);
  notices: readonly PlacedNotice[] = $state.raw([]);
  /** Nicks typing now, in the order they started. */
  typists: readonly string[] = $state.raw([]);

  /** Whether the room was joined once: later joins are automatic. */
  joinedOnce = false;
  rejoinRetries = 0;
  resumeInFlight = false;

  // Timers, never shown: `typists` is what views read.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #typingTimers = new Map<string, number>();
  // Departures waiting to be told; timers, never shown.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #leaving = new Map<string, number>();
  #noticeCount = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Takes a `joined` reply: the first one starts the timeline. */
  joined(
    members: readonly Member[],
    history: readonly ChatMessage[],
  ): ChatMessage[] {
    this.status = 'joined';
    this.joinedOnce = true;
    this.rejoinRetries = 0;

    const timeline = this.timeline;
    if (timeline === null) {
      this.members = members;
      this.timeline = new RoomTimeline(this.name, history);
      return [...this.timeline.messages];
    }

    return timeline.merge(history);
  }

  /** A new member list: records who joined, left or moved. */
  presence(members: readonly Member[], self: string | null): void {
    const changes = presenceNotices(this.members, members, self);
    this.members = members;

    const told: PresenceNotice[] = [];
    for (const change of changes) {
      const leaving = this.#leaving.get(change.nick);
      if (change.kind === 'left') {
        this.#holdDeparture(change);
      } else if (leaving !== undefined && change.kind === 'joined') {
        window.clearTimeout(leaving);
        this.#leaving.delete(change.nick);
        told.push({ ...change, kind: 'moved' });
      } else {
        told.push(change);
      }
    }
    this.#place(told);
  }

  #holdDeparture(change: PresenceNotice): void {
    window.clearTimeout(this.#leaving.get(change.nick));
    this.#leaving.set(
      change.nick,
      window.setTimeout(() => {
        this.#leaving.delete(change.nick);
        this.#place([change]);
      }, LEFT_AFTER_MS),
    );
  }

  #place(changes: readonly PresenceNotice[]): void {
    if (changes.length === 0) return;

    const afterSeq = this.timeline?.lastSeq ?? 0;
    const at = Date.now();
    const placed = changes.map((change) => {
      this.#noticeCount += 1;
      return { ...change, key: this.#noticeCount, afterSeq, at };
    });
    this.notices = [...this.notices, ...placed].slice(-MAX_NOTICES);
  }

  /** Someone is typing: shown until TYPING_SHOWN_MS pass without another. */
  typing(nick: string): void {
    window.clearTimeout(this.#typingTimers.get(nick));
    this.#typingTimers.set(
      nick,
      window.setTimeout(() => this.stoppedTyping(nick), TYPING_SHOWN_MS),
    );
    if (!this.typists.includes(nick)) this.typists = [...this.typists, nick];
  }

  /** The typist's message came, or the notice ran out. */
  stoppedTyping(nick: string): void {
    window.clearTimeout(this.#typingTimers.get(nick));
    this.#typingTimers.delete(nick);
    if (this.typists.includes(nick)) {
      this.typists = this.typists.filter((typist) => typist !== nick);
    }
  }

  /** Cancels the typing and departure timers: the room is left. */
  dispose(): void {
    for (const timer of this.#typingTimers.values()) window.clearTimeout(timer);
    for (const timer of this.#leaving.values()) window.clearTimeout(timer);

    this.#typingTimers.clear();
    this.#leaving.clear();
  }
}
