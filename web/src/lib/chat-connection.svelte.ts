import {
  ClientEvent,
  ErrorCode,
  Limits,
  ServerEvent,
  type AckData,
  type ChatMessage,
  type ClientFrame,
  type ErrorData,
  type HelloData,
  type HistoryData,
  type JoinedData,
  type Member,
} from '$protocol';
import { backoffDelay } from './backoff';
import type { ConnectionState } from './connection-state';
import { DeliveryLog } from './delivery-log';
import { decodeServerFrame, encodeClientFrame } from './frame-codec';
import { isSendable } from './input-rules';
import { Outbox, type OutboxEntry } from './outbox.svelte';
import { ReconnectingSocket } from './reconnecting-socket.svelte';
import { RoomTimeline } from './room-timeline.svelte';
import { newSessionToken } from './session-token';
import { TimerGroup } from './timer-group';

/** `joining` covers the first join and every re-join after a reconnect. */
export type RoomStatus = 'idle' | 'joining' | 'joined';

/** An `error` frame as the banner shows it, keyed for dismissal. */
export interface ShownError extends ErrorData {
  readonly key: number;
}

/** Codes after which the same request may succeed a moment later. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  ErrorCode.Unavailable,
  ErrorCode.Internal,
  // Resending a whole outbox after a reconnect can outrun the rate limit.
  ErrorCode.RateLimited,
]);

/** Tries for one message or one re-join before the refusal is shown. */
const MAX_RETRIES = 5;

/** Banners kept at once; older ones give way. */
const MAX_SHOWN_ERRORS = 3;

/**
 * One tab's chat session over a {@link ReconnectingSocket}: the instance it
 * is on, the room it is in, that room's timeline and members, and the
 * outbox of messages not yet in the timeline. Every field is reactive.
 *
 * After a reconnect it joins the room again with the same nick, asks the
 * store for everything after the last seq it holds without a gap, and
 * sends the unacknowledged messages again under their original ids.
 */
export class ChatConnection {
  /** The `hello` of the instance the open socket is on; `null` between. */
  instance: HelloData | null = $state.raw(null);
  /** The last instance seen, kept while the socket is down. */
  lastInstance: HelloData | null = $state.raw(null);
  nick: string | null = $state(null);
  room: string | null = $state(null);
  roomStatus: RoomStatus = $state('idle');
  members: readonly Member[] = $state.raw([]);
  timeline: RoomTimeline | null = $state.raw(null);
  errors: readonly ShownError[] = $state.raw([]);
  readonly outbox = new Outbox();
  /** When this tab sent and received messages, for the path view. */
  readonly deliveries = new DeliveryLog();

  readonly #socket: ReconnectingSocket;
  /** Whether the current room was joined once: later joins are automatic. */
  #joinedOnce = false;
  #rejoinRetries = 0;
  /**
   * The session token, presented on every join: it gets this tab its
   * nickname back while the claim of its old session on a dead instance
   * has not expired yet. The server's `joined` may hand back another.
   */
  #token = newSessionToken();
  #resumeInFlight = false;
  /** Retries meant for the current socket only. */
  readonly #retries = new TimerGroup();
  #errorCount = 0;

  constructor(url: string) {
    this.#socket = new ReconnectingSocket(url, {
      opened: () => {
        this.#opened();
      },
      received: (text) => {
        this.#received(text);
      },
      closed: () => {
        this.#closed();
      },
    });
  }

  /**
   * The socket's state, for the badge. An open socket counts as open only
   * once its `hello` named the instance, so that "open" and the instance
   * name always appear together.
   */
  get connection(): ConnectionState {
    const state = this.#socket.state;
    if (state.phase === 'open' && this.instance === null) {
      return { phase: 'connecting', attempt: 0 };
    }

    return state;
  }

  /** Connects; the socket keeps itself connected from then on. */
  start(): void {
    this.#socket.start();
  }

  /** Disconnects for good (the page is going away). */
  stop(): void {
    this.#retries.clear();
    this.#socket.stop();
    this.instance = null;
  }

  /** Reconnects now instead of at the scheduled time. */
  retryNow(): void {
    this.#socket.retryNow();
  }

  /** Enters a room; sent now if the socket is open, else once it opens. */
  join(room: string, nick: string): void {
    if (this.room !== null) this.leave();

    this.room = room;
    this.nick = nick;
    this.roomStatus = 'joining';
    this.#joinedOnce = false;
    this.#rejoinRetries = 0;
    this.#sendJoin();
  }

  /** Leaves the room and forgets its timeline and unsent messages. */
  leave(): void {
    const room = this.room;
    if (room === null) return;

    this.#send({ event: ClientEvent.Leave, data: { room } });
    this.#retries.clear();
    this.outbox.removeRoom(room);
    this.#resetRoom();
  }

  /**
   * Queues a message for the current room and sends it when the room is
   * joined. Returns `false` when the text cannot be sent at all.
   */
  send(text: string): boolean {
    const room = this.room;
    if (room === null || !isSendable(text)) return false;

    const entry = this.outbox.add(room, text.trim());
    if (this.roomStatus === 'joined') this.#transmit(entry);

    return true;
  }

  /** Drops a refused message from the outbox. */
  discard(id: string): void {
    this.outbox.remove([id]);
  }

  /** Hides one error banner. */
  dismissError(key: number): void {
    this.errors = this.errors.filter((error) => error.key !== key);
  }

  #opened(): void {
    if (this.room === null) return;

    this.roomStatus = 'joining';
    this.#sendJoin();
  }

  #closed(): void {
    // Pending retries would go to a dead socket; the next `joined` sends
    // every unacknowledged message and the join itself again.
    this.#retries.clear();
    this.instance = null;
    this.#resumeInFlight = false;
    if (this.room !== null) this.roomStatus = 'joining';
  }

  #received(text: string): void {
    const frame = decodeServerFrame(text);
    if (frame === null) return;

    switch (frame.event) {
      case ServerEvent.Hello:
        this.instance = frame.data;
        this.lastInstance = frame.data;
        break;
      case ServerEvent.Joined:
        this.#joined(frame.data);
        break;
      case ServerEvent.Message:
        this.#message(frame.data);
        break;
      case ServerEvent.History:
        this.#history(frame.data);
        break;
      case ServerEvent.Ack:
        this.#ack(frame.data);
        break;
      case ServerEvent.Presence:
        if (frame.data.room === this.room) this.members = frame.data.members;
        break;
      case ServerEvent.Left:
        // Nothing to do: leave() already reset the room. Acting on `left`
        // could undo a join of the same room sent right after the leave.
        break;
      case ServerEvent.Error:
        this.#error(frame.data);
        break;
    }
  }

  #joined(data: JoinedData): void {
    if (data.room !== this.room) return;

    this.nick = data.nick;
    this.#token = data.token;
    this.members = data.members;
    this.roomStatus = 'joined';
    this.#joinedOnce = true;
    this.#rejoinRetries = 0;

    const timeline = this.timeline;
    if (timeline?.room === data.room) {
      this.#settle(timeline.merge(data.history));
      this.#resume(timeline, timeline.contiguousSeq);
    } else {
      const fresh = new RoomTimeline(data.room, data.history);
      this.timeline = fresh;
      this.#settle(fresh.messages);
    }

    for (const entry of this.outbox.unacknowledged(data.room)) {
      this.#transmit(entry);
    }
  }

  #message(message: ChatMessage): void {
    const receivedAt = Date.now();
    const timeline = this.timeline;
    if (timeline?.room !== message.room) return;

    // Only a frame the timeline takes is the one shown: a seq already held
    // from a history keeps showing as such.
    const fresh = timeline.merge([message]);
    if (fresh.length > 0) {
      this.deliveries.received(message.room, message.seq, receivedAt);
    }
    this.#settle(fresh);

    // Seqs have no gaps, so a hole means a frame was lost between the bus
    // and this tab: fill it from the store.
    if (timeline.hasGap && !this.#resumeInFlight) {
      this.#resume(timeline, timeline.contiguousSeq);
    }
  }

  #history(data: HistoryData): void {
    const timeline = this.timeline;
    if (timeline?.room !== data.room) return;

    this.#resumeInFlight = false;
    this.#settle(timeline.merge(data.messages));

    // A full page means there may be more: ask from where it ended.
    const last = data.messages.at(-1);
    if (data.messages.length >= Limits.resumePage && last !== undefined) {
      this.#resume(timeline, last.seq);
    }
  }

  #ack(data: AckData): void {
    if (this.outbox.find(data.id) === undefined) return;

    // The `message` frame can come before the ack or after it.
    if (this.timeline?.holdsId(data.id)) {
      this.outbox.remove([data.id]);
    } else {
      this.outbox.accept(data.id, data.seq);
    }
  }

  #error(error: ErrorData): void {
    const entry = error.ref === null ? undefined : this.outbox.find(error.ref);
    if (entry !== undefined) {
      this.#sendRefused(entry, error);
      return;
    }

    const aboutJoin =
      error.ref === ClientEvent.Join || error.code === ErrorCode.NickTaken;
    if (aboutJoin && this.roomStatus === 'joining') {
      this.#joinRefused(error);
      return;
    }

    // The instance lost this tab's membership (it restarted its state, say):
    // join again rather than fail every send.
    if (error.code === ErrorCode.NotJoined && this.roomStatus === 'joined') {
      this.roomStatus = 'joining';
      this.#retryJoin(error);
      return;
    }

    this.#show(error);
  }

  #sendRefused(entry: OutboxEntry, error: ErrorData): void {
    if (RETRYABLE_CODES.has(error.code) && entry.retries < MAX_RETRIES) {
      this.outbox.countRetry(entry.id);
      this.#retries.schedule(backoffDelay(entry.retries + 1), () => {
        const current = this.outbox.find(entry.id);
        if (current?.status === 'pending' && this.roomStatus === 'joined') {
          this.#transmit(current);
        }
      });
      return;
    }

    this.outbox.fail(entry.id, error);
    this.#show(error);
  }

  #joinRefused(error: ErrorData): void {
    // Right after a gateway dies the cluster may still list this tab's old
    // session, so a re-join can find its own nick taken for a moment.
    const transient =
      RETRYABLE_CODES.has(error.code) ||
      (this.#joinedOnce && error.code === ErrorCode.NickTaken);
    if (transient) {
      this.#retryJoin(error);
      return;
    }

    this.#show(error);
    this.#giveUpRoom();
  }

  #retryJoin(error: ErrorData): void {
    if (this.#rejoinRetries >= MAX_RETRIES) {
      this.#show(error);
      this.#giveUpRoom();
      return;
    }

    this.#rejoinRetries += 1;
    const room = this.room;
    this.#retries.schedule(backoffDelay(this.#rejoinRetries), () => {
      if (this.room === room && this.roomStatus === 'joining') {
        this.#sendJoin();
      }
    });
  }

  #giveUpRoom(): void {
    if (this.room !== null) this.outbox.removeRoom(this.room);

    this.#resetRoom();
  }

  #resetRoom(): void {
    this.room = null;
    this.roomStatus = 'idle';
    this.members = [];
    this.timeline = null;
    this.#joinedOnce = false;
    this.#resumeInFlight = false;
  }

  /** Drops outbox entries whose messages reached the timeline. */
  #settle(delivered: readonly ChatMessage[]): void {
    if (delivered.length > 0) {
      this.outbox.remove(delivered.map((message) => message.id));
    }
  }

  #resume(timeline: RoomTimeline, after: number): void {
    const sent = this.#send({
      event: ClientEvent.Resume,
      data: { room: timeline.room, after },
    });
    this.#resumeInFlight = sent;
  }

  #sendJoin(): void {
    if (this.room === null || this.nick === null) return;

    this.#send({
      event: ClientEvent.Join,
      data: {
        room: this.room,
        nick: this.nick,
        token: this.#token,
      },
    });
  }

  #transmit(entry: OutboxEntry): void {
    const sentAt = Date.now();
    const sent = this.#send({
      event: ClientEvent.Send,
      data: { room: entry.room, text: entry.text, id: entry.id },
    });
    if (sent) this.deliveries.sent(entry.id, sentAt);
  }

  /** Sends a frame if the socket is open; `false` if it was not sent. */
  #send(frame: ClientFrame): boolean {
    return this.#socket.send(encodeClientFrame(frame));
  }

  #show(error: ErrorData): void {
    this.#errorCount += 1;
    const shown: ShownError = { ...error, key: this.#errorCount };
    this.errors = [...this.errors, shown].slice(-MAX_SHOWN_ERRORS);
  }
}
