import {
  ClientEvent,
  ErrorCode,
  Limits,
  ServerEvent,
  type AckData,
  type ChatMessage,
  type ConversationsData,
  type DirectMessage,
  type DmHistoryData,
  type ClientFrame,
  type ErrorData,
  type HelloData,
  type HistoryData,
  type JoinedData,
  type Member,
  type PresenceData,
  type RoomSummary,
  type TypingNotice,
} from '$protocol';
import { backoffDelay } from './backoff';
import type { ConnectionState } from './connection-state';
import { DeliveryLog } from './delivery-log';
import { DirectConversation } from './direct-conversation.svelte';
import { directCommand } from './direct-command';
import { decodeServerFrame, encodeClientFrame } from './frame-codec';
import { isSendable } from './input-rules';
import { JoinedRoom, type RoomStatus } from './joined-room.svelte';
import { Outbox, type OutboxEntry } from './outbox.svelte';
import { ReconnectingSocket } from './reconnecting-socket.svelte';
import type { RoomTimeline } from './room-timeline.svelte';
import { newMessageId } from './message-id';
import { loadSessionToken, saveSessionToken } from './session-token';
import { TimerGroup } from './timer-group';

export type { RoomStatus } from './joined-room.svelte';

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

/** Shortest gap between two `typing` frames this tab sends for a room. */
const TYPING_EVERY_MS = 2_000;

/** The room list is asked for again this often, and on presence changes. */
const ROOM_LIST_EVERY_MS = 10_000;

/** Presence changes come in bursts: the room list waits this long. */
const ROOM_LIST_SETTLE_MS = 500;

/**
 * One tab's chat session over a {@link ReconnectingSocket}: the instance it
 * is on, the rooms it has joined (each with its timeline, members, unread
 * count and typists), the room on screen, and the outbox of messages not
 * yet in a timeline. Every field is reactive.
 *
 * After a reconnect it joins every room again with the same nick, asks the
 * store for everything after the last seq it holds without a gap, and
 * sends the unacknowledged messages again under their original ids. A tab
 * that comes back from the background does the same asking, so that what
 * a throttled or frozen tab missed arrives once.
 */
export class ChatConnection {
  /** The `hello` of the instance the open socket is on; `null` between. */
  instance: HelloData | null = $state.raw(null);
  /** The last instance seen, kept while the socket is down. */
  lastInstance: HelloData | null = $state.raw(null);
  nick: string | null = $state(null);
  /** The room on screen; `null` before the first join. */
  room: string | null = $state(null);
  /** Every room the tab is in, in the order they were joined. */
  joinedRooms: readonly JoinedRoom[] = $state.raw([]);
  /** The gateway's last `rooms` answer. */
  roomList: readonly RoomSummary[] = $state.raw([]);
  /** Direct conversations of this tab's person, the latest first. */
  conversations: readonly DirectConversation[] = $state.raw([]);
  /** The conversation on screen instead of the room; `null` for the room. */
  direct: DirectConversation | null = $state.raw(null);
  errors: readonly ShownError[] = $state.raw([]);
  readonly outbox = new Outbox();
  /** When this tab sent and received messages, for the path view. */
  readonly deliveries = new DeliveryLog();

  readonly #socket: ReconnectingSocket;
  /**
   * The session token, presented on every join: it gets this tab its
   * nickname back while the claim of its old session on a dead instance
   * has not expired yet. The server's `joined` may hand back another.
   */
  #token = loadSessionToken();
  /** Retries meant for the current socket only. */
  readonly #retries = new TimerGroup();
  #errorCount = 0;
  // Timing only, never shown: a reactive map would only add work.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #typingSentAt = new Map<string, number>();
  /** Direct messages sent and not acknowledged yet: id to recipient. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #pendingDirect = new Map<string, string>();
  #roomListTimer: number | undefined;
  #roomListSoon: number | undefined;

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
      returned: () => {
        this.#catchUp();
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

  /** The room on screen, with everything the tab holds of it. */
  get current(): JoinedRoom | null {
    return this.joinedRooms.find((joined) => joined.name === this.room) ?? null;
  }

  get roomStatus(): RoomStatus {
    return this.current?.status ?? 'idle';
  }

  get members(): readonly Member[] {
    return this.current?.members ?? [];
  }

  get timeline(): RoomTimeline | null {
    return this.current?.timeline ?? null;
  }

  /** Connects; the socket keeps itself connected from then on. */
  start(): void {
    this.#socket.start();
    this.#roomListTimer = window.setInterval(() => {
      this.refreshRooms();
    }, ROOM_LIST_EVERY_MS);
  }

  /** Disconnects for good (the page is going away). */
  stop(): void {
    this.#retries.clear();
    window.clearInterval(this.#roomListTimer);
    window.clearTimeout(this.#roomListSoon);
    this.#socket.stop();
    this.instance = null;
  }

  /** Reconnects now instead of at the scheduled time. */
  retryNow(): void {
    this.#socket.retryNow();
  }

  /** Asks the gateway for the room list; the answer fills `roomList`. */
  refreshRooms(): void {
    this.#send({ event: ClientEvent.Rooms, data: {} });
  }

  /**
   * Shows a room: one already joined comes back as it was left, any other
   * is joined (sent now if the socket is open, else once it opens). The
   * first join sets the nick every later room uses.
   */
  join(room: string, nick: string | null = this.nick): void {
    if (nick === null) return;

    this.nick = nick;
    this.room = room;
    this.direct = null;
    const known = this.#find(room);
    if (known !== undefined) {
      known.unread = 0;
      return;
    }

    const joined = new JoinedRoom(room);
    this.joinedRooms = [...this.joinedRooms, joined];
    this.#sendJoin(joined);
  }

  /** Leaves the room on screen, forgets it, and shows another one. */
  leave(): void {
    const room = this.current;
    if (room === null) return;

    this.#send({ event: ClientEvent.Leave, data: { room: room.name } });
    this.#forget(room);
  }

  /**
   * Shows the conversation with the person behind a nickname: a known one,
   * or a new one that the first message creates.
   */
  openDirect(peer: string): void {
    const known = this.conversations.find((c) => c.peer === peer);
    const conversation = known ?? new DirectConversation(peer);
    if (known === undefined) {
      this.conversations = [conversation, ...this.conversations];
    }

    this.#showDirect(conversation);
  }

  /** Shows a listed conversation by its id. */
  openConversation(id: string): void {
    const conversation = this.conversations.find((c) => c.id === id);
    if (conversation !== undefined) this.#showDirect(conversation);
  }

  /** Back from a conversation to the room. */
  closeDirect(): void {
    this.direct = null;
  }

  /**
   * Sends a direct message to a nickname. Direct messages are not kept
   * in the outbox: `false` means the socket is down and the text stays
   * with the user.
   */
  sendDirect(to: string, text: string): boolean {
    if (!isSendable(text)) return false;

    const id = newMessageId();
    const sent = this.#send({
      event: ClientEvent.Dm,
      data: { to, text: text.trim(), id },
    });
    if (sent) this.#pendingDirect.set(id, to);

    return sent;
  }

  /**
   * Queues a message for the room on screen and sends it once the room is
   * joined; `/msg nick text` and `@nick text` go to that person instead,
   * and so does anything written in a conversation. Returns `false` when
   * the text cannot be sent at all.
   */
  send(text: string): boolean {
    const command = directCommand(text);
    if (this.direct !== null && command === null) {
      return this.sendDirect(this.direct.peer, text);
    }

    if (command !== null) {
      if (!this.sendDirect(command.to, command.text)) return false;

      this.openDirect(command.to);
      return true;
    }

    const room = this.current;
    if (room === null || !isSendable(text)) return false;

    const entry = this.outbox.add(room.name, text.trim());
    if (room.status === 'joined') this.#transmit(entry);
    this.#typingSentAt.delete(room.name);

    return true;
  }

  /** The user is typing in the room on screen: told at most every 2 s. */
  typing(): void {
    const room = this.current;
    if (room?.status !== 'joined') return;

    const now = Date.now();
    if (now - (this.#typingSentAt.get(room.name) ?? 0) < TYPING_EVERY_MS) {
      return;
    }

    if (this.#send({ event: ClientEvent.Typing, data: { room: room.name } })) {
      this.#typingSentAt.set(room.name, now);
    }
  }

  /** Drops a refused message from the outbox. */
  discard(id: string): void {
    this.outbox.remove([id]);
  }

  /** Hides one error banner. */
  dismissError(key: number): void {
    this.errors = this.errors.filter((error) => error.key !== key);
  }

  #showDirect(conversation: DirectConversation): void {
    this.direct = conversation;
    conversation.unread = 0;
    const timeline = conversation.timeline;
    if (conversation.id !== null && timeline !== null) {
      this.#resumeDirect(conversation, timeline.contiguousSeq);
    }
    this.#send({ event: ClientEvent.Conversations, data: {} });
  }

  #resumeDirect(conversation: DirectConversation, after: number): void {
    if (conversation.id === null) return;

    conversation.resumeInFlight = this.#send({
      event: ClientEvent.DmResume,
      data: { conversation: conversation.id, after },
    });
  }

  #find(name: string): JoinedRoom | undefined {
    return this.joinedRooms.find((joined) => joined.name === name);
  }

  #opened(): void {
    for (const room of this.joinedRooms) {
      room.status = 'joining';
      this.#sendJoin(room);
    }
    this.refreshRooms();
  }

  #closed(): void {
    // Pending retries would go to a dead socket; the next `joined` sends
    // every unacknowledged message and the join itself again.
    this.#retries.clear();
    this.instance = null;
    for (const room of this.joinedRooms) {
      room.resumeInFlight = false;
      room.status = 'joining';
    }
  }

  /** The tab is visible again: fetch whatever the live frames missed. */
  #catchUp(): void {
    this.#catchUpDirect();
    for (const room of this.joinedRooms) {
      if (room.status === 'joined' && room.timeline !== null) {
        this.#resume(room, room.timeline.contiguousSeq);
      }
    }
    this.refreshRooms();
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
        this.#presence(frame.data);
        break;
      case ServerEvent.Typing:
        this.#typing(frame.data);
        break;
      case ServerEvent.Rooms:
        this.roomList = frame.data.rooms;
        break;
      case ServerEvent.Dm:
        this.#directMessage(frame.data);
        break;
      case ServerEvent.DmHistory:
        this.#directHistory(frame.data);
        break;
      case ServerEvent.Conversations:
        this.#conversationList(frame.data);
        break;
      case ServerEvent.Left:
        // Nothing to do: leave() already forgot the room. Acting on `left`
        // could undo a join of the same room sent right after the leave.
        break;
      case ServerEvent.Error:
        this.#error(frame.data);
        break;
    }
  }

  #joined(data: JoinedData): void {
    const room = this.#find(data.room);
    if (room === undefined) return;

    const rejoin = room.timeline !== null;
    const firstOnSocket = !this.joinedRooms.some(
      (other) => other !== room && other.status === 'joined',
    );
    this.nick = data.nick;
    this.#token = data.token;
    saveSessionToken(data.token);
    // The token is the key to this person's conversations: once a join
    // presented it, they can be listed and caught up.
    if (firstOnSocket) this.#catchUpDirect();
    this.#settle(room.joined(data.members, data.history));
    if (rejoin) {
      room.presence(data.members, this.nick);
      if (room.timeline !== null) {
        this.#resume(room, room.timeline.contiguousSeq);
      }
    }

    for (const entry of this.outbox.unacknowledged(data.room)) {
      this.#transmit(entry);
    }
    this.#refreshRoomsSoon();
  }

  #message(message: ChatMessage): void {
    const receivedAt = Date.now();
    const room = this.#find(message.room);
    const timeline = room?.timeline;
    if (room === undefined || timeline == null) return;

    // Only a frame the timeline takes is the one shown: a seq already held
    // from a history keeps showing as such.
    const fresh = timeline.merge([message]);
    if (fresh.length > 0) {
      this.deliveries.received(message.room, message.seq, receivedAt);
      room.stoppedTyping(message.nick);
      if (room.name !== this.room) room.unread += fresh.length;
    }
    this.#settle(fresh);

    // Seqs have no gaps, so a hole means a frame was lost between the bus
    // and this tab: fill it from the store.
    if (timeline.hasGap && !room.resumeInFlight) {
      this.#resume(room, timeline.contiguousSeq);
    }
  }

  #history(data: HistoryData): void {
    const room = this.#find(data.room);
    const timeline = room?.timeline;
    if (room === undefined || timeline == null) return;

    room.resumeInFlight = false;
    const fresh = timeline.merge(data.messages);
    if (room.name !== this.room) room.unread += fresh.length;
    this.#settle(fresh);

    // A full page means there may be more: ask from where it ended.
    const last = data.messages.at(-1);
    if (data.messages.length >= Limits.resumePage && last !== undefined) {
      this.#resume(room, last.seq);
    }
  }

  #presence(data: PresenceData): void {
    const room = this.#find(data.room);
    if (room?.status !== 'joined') return;

    room.presence(data.members, this.nick);
    this.#refreshRoomsSoon();
  }

  #typing(notice: TypingNotice): void {
    if (notice.nick === this.nick) return;

    this.#find(notice.room)?.typing(notice.nick);
  }

  #directMessage(message: DirectMessage): void {
    let conversation = this.conversations.find(
      (c) => c.id === message.conversation,
    );
    if (conversation === undefined) {
      const mine = message.nick === this.nick;
      const peer = mine ? (message.to ?? '') : message.nick;
      // A draft with this person becomes the conversation.
      conversation =
        this.conversations.find((c) => c.id === null && c.peer === peer) ??
        new DirectConversation(peer);
      conversation.identify(message.conversation);
      if (!this.conversations.includes(conversation)) {
        this.conversations = [conversation, ...this.conversations];
      }
      this.#send({ event: ClientEvent.Conversations, data: {} });
    }

    const fresh = conversation.merge([message]);
    if (fresh.length > 0 && conversation !== this.direct) {
      conversation.unread += fresh.filter((m) => m.nick !== this.nick).length;
    }
    const timeline = conversation.timeline;
    if (timeline?.hasGap && !conversation.resumeInFlight) {
      this.#resumeDirect(conversation, timeline.contiguousSeq);
    }
  }

  #directHistory(data: DmHistoryData): void {
    const conversation = this.conversations.find(
      (c) => c.id === data.conversation,
    );
    if (conversation === undefined) return;

    conversation.resumeInFlight = false;
    conversation.merge(data.messages);
    const last = data.messages.at(-1);
    if (data.messages.length >= Limits.resumePage && last !== undefined) {
      this.#resumeDirect(conversation, last.seq);
    }
  }

  #conversationList(data: ConversationsData): void {
    const known = [...this.conversations];
    for (const summary of data.conversations) {
      let conversation = known.find((c) => c.id === summary.conversation);
      if (conversation === undefined) {
        conversation = new DirectConversation(
          summary.peer,
          summary.conversation,
        );
        known.push(conversation);
      }
      conversation.peer = summary.peer;
      conversation.server = summary.server;
      const held = conversation.timeline?.lastSeq ?? 0;
      if (summary.last > held && conversation !== this.direct) {
        this.#resumeDirect(
          conversation,
          conversation.timeline?.contiguousSeq ?? 0,
        );
      }
    }
    this.conversations = known;
  }

  /** Lists the conversations and fetches what each one missed. */
  #catchUpDirect(): void {
    for (const conversation of this.conversations) {
      const timeline = conversation.timeline;
      if (timeline !== null) {
        this.#resumeDirect(conversation, timeline.contiguousSeq);
      }
    }
    this.#send({ event: ClientEvent.Conversations, data: {} });
  }

  #ack(data: AckData): void {
    if (data.conversation !== undefined) {
      this.#directAcked(data.id, data.conversation);
      return;
    }

    const entry = this.outbox.find(data.id);
    if (entry === undefined) return;

    // The `message` frame can come before the ack or after it.
    if (this.#find(entry.room)?.timeline?.holdsId(data.id)) {
      this.outbox.remove([data.id]);
    } else {
      this.outbox.accept(data.id, data.seq);
    }
  }

  #directAcked(id: string, conversationId: string): void {
    const to = this.#pendingDirect.get(id);
    this.#pendingDirect.delete(id);
    if (to === undefined) return;

    const draft = this.conversations.find(
      (c) => c.id === null && c.peer === to,
    );
    draft?.identify(conversationId);
  }

  #error(error: ErrorData): void {
    if (error.ref !== null && this.#pendingDirect.has(error.ref)) {
      this.#pendingDirect.delete(error.ref);
      this.#show(error);
      return;
    }

    const entry = error.ref === null ? undefined : this.outbox.find(error.ref);
    if (entry !== undefined) {
      this.#sendRefused(entry, error);
      return;
    }

    // Join refusals name the room in `ref`; a malformed join names the
    // event, and then the room is the latest one still joining.
    const room =
      error.ref === ClientEvent.Join
        ? this.joinedRooms.findLast((joined) => joined.status === 'joining')
        : error.ref === null
          ? undefined
          : this.#find(error.ref);
    if (room?.status === 'joining') {
      this.#joinRefused(room, error);
      return;
    }

    // The instance lost this tab's membership (it restarted its state, say):
    // join again rather than fail every send.
    if (error.code === ErrorCode.NotJoined && room?.status === 'joined') {
      room.status = 'joining';
      this.#retryJoin(room, error);
      return;
    }

    this.#show(error);
  }

  #sendRefused(entry: OutboxEntry, error: ErrorData): void {
    if (RETRYABLE_CODES.has(error.code) && entry.retries < MAX_RETRIES) {
      this.outbox.countRetry(entry.id);
      this.#retries.schedule(backoffDelay(entry.retries + 1), () => {
        const current = this.outbox.find(entry.id);
        const room = current && this.#find(current.room);
        if (current?.status === 'pending' && room?.status === 'joined') {
          this.#transmit(current);
        }
      });
      return;
    }

    this.outbox.fail(entry.id, error);
    this.#show(error);
  }

  #joinRefused(room: JoinedRoom, error: ErrorData): void {
    // Right after a gateway dies the cluster may still list this tab's old
    // session, so a re-join can find its own nick taken for a moment.
    const transient =
      RETRYABLE_CODES.has(error.code) ||
      (room.joinedOnce && error.code === ErrorCode.NickTaken);
    if (transient) {
      this.#retryJoin(room, error);
      return;
    }

    this.#show(error);
    this.#forget(room);
  }

  #retryJoin(room: JoinedRoom, error: ErrorData): void {
    if (room.rejoinRetries >= MAX_RETRIES) {
      this.#show(error);
      this.#forget(room);
      return;
    }

    room.rejoinRetries += 1;
    this.#retries.schedule(backoffDelay(room.rejoinRetries), () => {
      if (this.#find(room.name) === room && room.status === 'joining') {
        this.#sendJoin(room);
      }
    });
  }

  /** Drops a room and its unsent messages; shows the previous room. */
  #forget(room: JoinedRoom): void {
    room.dispose();
    this.outbox.removeRoom(room.name);
    this.#typingSentAt.delete(room.name);
    const index = this.joinedRooms.indexOf(room);
    this.joinedRooms = this.joinedRooms.filter((joined) => joined !== room);
    if (this.room !== room.name) return;

    const next = this.joinedRooms[Math.max(0, index - 1)] ?? null;
    this.room = next?.name ?? null;
    if (next !== null) next.unread = 0;
  }

  /** Drops outbox entries whose messages reached the timeline. */
  #settle(delivered: readonly ChatMessage[]): void {
    if (delivered.length > 0) {
      this.outbox.remove(delivered.map((message) => message.id));
    }
  }

  #resume(room: JoinedRoom, after: number): void {
    const sent = this.#send({
      event: ClientEvent.Resume,
      data: { room: room.name, after },
    });
    room.resumeInFlight = sent;
  }

  #sendJoin(room: JoinedRoom): void {
    if (this.nick === null) return;

    this.#send({
      event: ClientEvent.Join,
      data: { room: room.name, nick: this.nick, token: this.#token },
    });
  }

  /** Presence comes in bursts: one `rooms` request after they settle. */
  #refreshRoomsSoon(): void {
    window.clearTimeout(this.#roomListSoon);
    this.#roomListSoon = window.setTimeout(() => {
      this.refreshRooms();
      // Where the other people of the conversations are may have changed.
      if (this.conversations.length > 0) {
        this.#send({ event: ClientEvent.Conversations, data: {} });
      }
    }, ROOM_LIST_SETTLE_MS);
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
