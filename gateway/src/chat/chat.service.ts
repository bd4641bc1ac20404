import type { IncomingMessage } from 'node:http';

import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { WebSocket } from 'ws';

import { CHAT_BUS, type ChatBus } from '../bus/chat-bus.js';
import type { TypingSignal } from '../bus/typing-signal.js';
import {
  GATEWAY_CONFIG,
  type GatewayConfig,
} from '../config/gateway.config.js';
import { LOGGER, type Logger } from '../logging/logger.js';
import { CHAT_METRICS, type ChatMetrics } from '../metrics/chat-metrics.js';
import { nickKey } from '../presence/nick-key.js';
import { PresenceService } from '../presence/presence.service.js';
import {
  ClientEvent,
  CloseCode,
  ErrorCode,
  Limits,
  ServerEvent,
  type ChatMessage,
} from '../protocol/index.js';
import {
  CHAT_STORE,
  DuplicateIdError,
  type ChatStore,
} from '../store/chat-store.js';
import { WRITE_WINDOW, type WriteWindow } from '../ws/write-window.js';
import { ChatError } from './chat-error.js';
import { ChatSession } from './chat-session.js';
import type {
  DmRequest,
  DmResumeRequest,
  JoinRequest,
  LeaveRequest,
  ResumeRequest,
  SendRequest,
  TypingRequest,
} from './client-frame.schemas.js';
import { clientAddress } from './client-address.js';
import { DirectMessenger } from './direct-messenger.js';
import { MemberRegistry } from './member-registry.js';
import { RoomFeed } from './room-feed.js';

/** How long a room with no member here stays subscribed. */
const FEED_GRACE_MS = 30_000;

/**
 * Longest wait for each shutdown step. Two steps fit well inside PM2's
 * kill_timeout of the ecosystem file (5 s).
 */
const DRAIN_MS = 1500;

/** Shortest gap between two relayed typing notices of one session. */
const TYPING_EVERY_MS = 1000;

/** Rooms the `rooms` answer lists at most, the most recently active first. */
const ROOMS_LISTED = 200;

/**
 * Publishes awaiting their echo, at most, for the round-trip metric; and
 * messages kept for publishing again after a bus outage.
 */
const MAX_TIMED_PUBLISHES = 10_000;

const messageKey = (message: ChatMessage) =>
  `${message.room}\u0000${message.seq}`;

/** Resolves when `work` settles or after `ms`, whichever comes first. */
function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void work.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The chat logic of one instance: sessions, rooms, and the way a message
 * goes from the sender through the store and the bus to every member. It
 * knows the bus and the store only by their interfaces.
 */
@Injectable()
export class ChatService
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger: Logger;
  private readonly sessions = new Map<WebSocket, ChatSession>();
  private readonly registry = new MemberRegistry();
  private readonly feeds = new Map<string, Promise<RoomFeed>>();
  /** Messages accepted while the bus was away; see keepUnpublished. */
  private readonly unpublished: ChatMessage[] = [];
  /** When each of our messages was published, until it comes back. */
  private readonly published = new Map<string, number>();
  /** Sends being stored and published; shutdown waits for them. */
  private readonly inflight = new Set<Promise<void>>();
  private readonly presence: PresenceService;
  private readonly direct: DirectMessenger;
  private nextSessionId = 0;
  private claimTimer: NodeJS.Timeout | undefined;
  private drainStarted = false;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(CHAT_STORE) private readonly store: ChatStore,
    @Inject(CHAT_BUS) private readonly bus: ChatBus,
    @Inject(LOGGER) logger: Logger,
    @Inject(CHAT_METRICS) private readonly metrics: ChatMetrics,
    @Inject(WRITE_WINDOW) private readonly writeWindow: WriteWindow,
  ) {
    this.logger = logger.child({ component: 'chat' });
    this.presence = new PresenceService({
      instance: config.instance,
      intervalMs: config.presenceIntervalMs,
      ttlMs: config.presenceTtlMs,
      localRooms: () => this.registry.leaseRooms(),
      localMembers: (room) => this.registry.leaseMembers(room),
      publish: (lease) => this.bus.publishPresence(lease),
      changed: (rooms) => this.announcePresence(rooms),
      rejected: (reason) =>
        this.logger.warn({ reason }, 'dropped a malformed presence lease'),
    });
    this.direct = new DirectMessenger({
      instance: config.instance,
      store,
      bus,
      presence: this.presence,
      sessions: () => this.sessions.values(),
      unavailable: (err, ref) => this.unavailable(err, ref),
    });
  }

  /** Whether the instance can serve users: store open, bus connected. */
  get ready(): boolean {
    return !this.drainStarted && this.store.ready && this.bus.connected;
  }

  /**
   * Whether the instance is shutting down: from the first step of the
   * shutdown, while it tells its clients to reconnect elsewhere.
   */
  get draining(): boolean {
    return this.drainStarted;
  }

  get busConnected(): boolean {
    return this.bus.connected;
  }

  get storeReady(): boolean {
    return this.store.ready;
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  async onModuleInit(): Promise<void> {
    await this.store.open();
    await this.bus.start({
      message: (message) => this.onBusMessage(message),
      presence: (lease) => this.presence.receive(lease),
      typing: (signal) => this.relayTyping(signal),
      direct: (signal) => this.direct.received(signal),
      reconnected: () => this.onBusReconnected(),
      state: () => undefined,
    });
    this.presence.start();
    // Claims live as long as presence leases, and are renewed as often.
    this.claimTimer = setInterval(
      () => this.renewClaims(),
      this.config.presenceIntervalMs,
    );
  }

  private renewClaims(): void {
    const claims = this.registry.claims();
    if (claims.length === 0 || !this.store.ready) {
      return;
    }

    this.store
      .renewNicks(claims, this.config.presenceTtlMs)
      .catch((err: unknown) => {
        this.logger.warn({ err }, 'could not renew nickname claims');
      });
  }

  /**
   * Tells every client to reconnect elsewhere before the server closes:
   * `app.close()` alone would drop them without a close frame. Waits for
   * the close handshakes, at most DRAIN_MS, so that the frames are on the
   * wire before the sockets are destroyed.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.drainStarted = true;
    clearInterval(this.claimTimer);
    this.logger.info(
      { connections: this.sessions.size },
      'draining: telling clients to reconnect',
    );
    this.presence.stop();

    const closed = [...this.sessions.values()].map(
      (session) =>
        new Promise<void>((resolve) => {
          session.socket.once('close', () => resolve());
          session.socket.close(CloseCode.ServiceRestart, 'server restarting');
        }),
    );
    await withDeadline(Promise.all(closed), DRAIN_MS);
  }

  /** Finishes what was being stored and published, then disconnects. */
  async onApplicationShutdown(): Promise<void> {
    await withDeadline(Promise.allSettled([...this.inflight]), DRAIN_MS);

    for (const feed of this.feeds.values()) {
      void feed.then((f) => f.close()).catch(() => undefined);
    }
    await this.bus.stop();
    await this.store.close();
    this.logger.info('stopped');
  }

  connect(socket: WebSocket, request: IncomingMessage): ChatSession {
    const session = new ChatSession(
      `${this.config.instance}/${(this.nextSessionId++).toString(36)}`,
      socket,
      clientAddress(request),
      request.socket,
      this.writeWindow,
      this.config.maxBufferedBytes,
      (slow) =>
        this.logger.warn(
          { connection: slow.id, address: slow.address },
          'dropped a client that reads too slowly',
        ),
    );
    this.sessions.set(socket, session);
    this.metrics.connectionsChanged(this.sessions.size);
    this.logger.debug(
      { connection: session.id, address: session.address },
      'connection open',
    );

    if (this.drainStarted) {
      socket.close(CloseCode.ServiceRestart, 'server restarting');
      return session;
    }

    session.send({
      event: ServerEvent.Hello,
      data: {
        server: this.config.instance,
        port: this.config.port,
        pid: process.pid,
      },
    });
    return session;
  }

  disconnect(socket: WebSocket): void {
    const session = this.sessions.get(socket);
    if (!session) {
      return;
    }

    this.sessions.delete(socket);
    this.metrics.connectionsChanged(this.sessions.size);
    this.logger.debug({ connection: session.id }, 'connection closed');
    for (const room of [...session.rooms.keys()]) {
      this.removeMember(room, session);
    }
  }

  sessionOf(socket: WebSocket): ChatSession {
    const session = this.sessions.get(socket);
    if (!session) {
      throw new ChatError(ErrorCode.Internal, 'Unknown connection');
    }

    return session;
  }

  async join(session: ChatSession, request: JoinRequest): Promise<void> {
    const { room, nick } = request;

    // A token can only be adopted before the session holds any nick, so
    // that one connection never speaks for two people.
    if (request.token && session.rooms.size === 0) {
      session.adoptToken(request.token);
    }

    if (
      !session.rooms.has(room) &&
      session.rooms.size >= this.config.maxRoomsPerConnection
    ) {
      throw new ChatError(
        ErrorCode.TooManyRooms,
        `A connection may be in ${this.config.maxRoomsPerConnection} rooms; leave one first`,
        room,
      );
    }

    // The store arbitrates nicknames: two people joining with one nick on
    // two instances at the same moment cannot both win there.
    const claim = { room, key: nickKey(nick), holder: session.holder };
    let claimed: boolean;
    try {
      claimed = await this.store.claimNick(claim, this.config.presenceTtlMs);
    } catch (err) {
      throw this.unavailable(err, room);
    }
    if (!claimed) {
      this.logger.debug(
        { connection: session.id, room, holder: session.holder },
        'refused a nickname held by another session',
      );
      throw new ChatError(
        ErrorCode.NickTaken,
        `The nickname ${nick} is in use in ${room}`,
        room,
      );
    }

    const previous = session.rooms.get(room)?.nick;
    if (previous !== undefined && nickKey(previous) !== claim.key) {
      this.releaseNick(room, previous, session);
    }

    const feed = await this.feed(room);
    feed.busy();
    this.registry.add(room, session);
    this.metrics.roomsChanged(this.registry.roomCount);
    // No live message reaches the session until its history is read: what
    // the history holds is not sent twice, what comes after it is sent.
    const membership = { nick, cursor: Number.POSITIVE_INFINITY, typingAt: 0 };
    session.rooms.set(room, membership);

    let history: ChatMessage[];
    try {
      history = await this.store.latest(room, Limits.historySize);
    } catch (err) {
      this.removeMember(room, session);
      throw this.unavailable(err, room);
    }
    membership.cursor = history.at(-1)?.seq ?? 0;

    session.send({
      event: ServerEvent.Joined,
      data: {
        room,
        nick,
        server: this.config.instance,
        members: this.presence.members(room),
        history,
        token: session.token,
      },
    });
    this.presence.localChanged(room);
  }

  leave(session: ChatSession, request: LeaveRequest): void {
    this.requireMembership(session, request.room);

    this.removeMember(request.room, session, true);
    session.send({ event: ServerEvent.Left, data: { room: request.room } });
  }

  send(session: ChatSession, request: SendRequest): Promise<void> {
    const work = this.accept(session, request);
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work)).catch(() => undefined);

    return work;
  }

  private async accept(
    session: ChatSession,
    request: SendRequest,
  ): Promise<void> {
    const membership = this.requireMembership(
      session,
      request.room,
      request.id,
    );

    let result;
    const acceptedAt = Date.now();
    const started = performance.now();
    try {
      result = await this.store.append({
        room: request.room,
        id: request.id,
        // The author is the session's nick, never anything the client says.
        nick: membership.nick,
        text: request.text,
        server: this.config.instance,
      });
    } catch (err) {
      if (err instanceof DuplicateIdError) {
        throw new ChatError(
          ErrorCode.DuplicateId,
          'That message id is already used in this room',
          request.id,
        );
      }
      throw this.unavailable(err, request.id);
    }

    const { message, duplicate } = result;
    session.send({
      event: ServerEvent.Ack,
      data: { id: message.id, seq: message.seq },
    });

    // A retried send was delivered when it was first stored: the ack is
    // repeated, the message is not.
    if (duplicate) {
      return;
    }

    this.metrics.messageAccepted((performance.now() - started) / 1000);
    this.published.set(messageKey(message), performance.now());
    const storedAt = Date.now();
    const trace = { acceptedAt, storedAt, publishedAt: storedAt };
    this.bus.publishMessage({ ...message, trace });
    if (!this.bus.connected) {
      this.keepUnpublished(message);
    }
    const feed = await this.feeds.get(message.room);
    feed?.offer({ ...message, trace: { ...trace, arrivedAt: storedAt } });
  }

  /**
   * Relays that a member is typing, at most once per TYPING_EVERY_MS per
   * session and room: a client that sends more is thinned, not echoed.
   */
  typing(session: ChatSession, request: TypingRequest): void {
    const membership = this.requireMembership(session, request.room);
    const now = Date.now();
    if (now - membership.typingAt < TYPING_EVERY_MS) {
      return;
    }

    membership.typingAt = now;
    this.bus.publishTyping({
      room: request.room,
      nick: membership.nick,
      server: this.config.instance,
      holder: session.holder,
    });
  }

  /** Every room the store knows, with its members on every instance. */
  async rooms(session: ChatSession): Promise<void> {
    let known;
    try {
      known = await this.store.rooms(ROOMS_LISTED);
    } catch (err) {
      throw this.unavailable(err, ClientEvent.Rooms);
    }

    const rooms = known.map(({ room, lastSeq, lastAt }) => ({
      room,
      members: this.presence.members(room).length,
      last: lastSeq,
      lastAt,
    }));
    session.send({ event: ServerEvent.Rooms, data: { rooms } });
  }

  /** A direct message to the one live person behind a nickname. */
  dm(session: ChatSession, request: DmRequest): Promise<void> {
    const work = this.direct.send(session, request);
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work)).catch(() => undefined);

    return work;
  }

  /** Messages of a conversation of the session's person, after a seq. */
  dmResume(session: ChatSession, request: DmResumeRequest): Promise<void> {
    return this.direct.resume(session, request);
  }

  /** The conversations of the session's person. */
  conversations(session: ChatSession): Promise<void> {
    return this.direct.list(session);
  }

  async resume(session: ChatSession, request: ResumeRequest): Promise<void> {
    const membership = this.requireMembership(session, request.room);

    let messages: ChatMessage[];
    try {
      messages = await this.store.after(
        request.room,
        request.after,
        Limits.resumePage,
      );
    } catch (err) {
      throw this.unavailable(err, request.room);
    }

    const last = messages.at(-1)?.seq ?? 0;
    membership.cursor = Math.max(membership.cursor, last);
    session.send({
      event: ServerEvent.History,
      data: { room: request.room, messages },
    });
  }

  private requireMembership(
    session: ChatSession,
    room: string,
    ref: string = room,
  ) {
    const membership = session.rooms.get(room);
    if (!membership) {
      throw new ChatError(
        ErrorCode.NotJoined,
        `Join ${room} before using it`,
        ref,
      );
    }

    return membership;
  }

  /**
   * Takes a session out of a room. Only an explicit leave gives the
   * nickname up: a dropped connection keeps its claim until the lease
   * time runs out, because the same person may be back in a moment, or be
   * connected to another instance already.
   */
  private removeMember(
    room: string,
    session: ChatSession,
    giveUpNick = false,
  ): void {
    const nick = session.rooms.get(room)?.nick;
    if (nick !== undefined && giveUpNick) {
      this.releaseNick(room, nick, session);
    }

    session.rooms.delete(room);
    const last = this.registry.remove(room, session);
    this.metrics.roomsChanged(this.registry.roomCount);

    if (last) {
      void this.feeds
        .get(room)
        ?.then((feed) => feed.idle(FEED_GRACE_MS, () => this.closeFeed(room)));
    }
    this.presence.localChanged(room);
  }

  /** Gives a nick up unless the same person holds it somewhere else. */
  private releaseNick(room: string, nick: string, session: ChatSession) {
    if (
      this.registry.heldElsewhere(room, session) ||
      this.presence.heldRemotely(room, session.holder)
    ) {
      return;
    }

    const claim = { room, key: nickKey(nick), holder: session.holder };
    this.store.releaseNick(claim).catch((err: unknown) => {
      this.logger.warn({ err, room }, 'could not release a nickname');
    });
  }

  /** The room's feed, subscribing this instance to the room first. */
  private feed(room: string): Promise<RoomFeed> {
    const known = this.feeds.get(room);
    if (known) {
      return known;
    }

    const opening = this.openFeed(room);
    this.feeds.set(room, opening);
    opening.catch(() => this.feeds.delete(room));

    return opening;
  }

  private async openFeed(room: string): Promise<RoomFeed> {
    const feed = new RoomFeed(room);

    try {
      // Subscribe before reading the head: a message stored after the read
      // is published after the subscription, so none falls between.
      await this.bus.subscribeRoom(room);
      const head = await this.store.headSeq(room);
      feed.open(head, this.config.holdbackMs, {
        deliver: (message) => this.deliver(message),
        fill: (after, limit) => this.store.after(room, after, limit),
        fillFailed: (err) =>
          this.logger.warn(
            { err, room },
            'could not fill a gap from the store',
          ),
      });
    } catch (err) {
      throw this.unavailable(err, room);
    }

    return feed;
  }

  private closeFeed(room: string): void {
    const opening = this.feeds.get(room);
    this.feeds.delete(room);

    void opening?.then((feed) => feed.close());
    if (this.bus.connected) {
      this.bus.unsubscribeRoom(room).catch((err: unknown) => {
        this.logger.warn({ err, room }, 'could not unsubscribe from a room');
      });
    }
  }

  /** Sends a message to this instance's members of its room, once each. */
  private deliver(message: ChatMessage): void {
    const trace = message.trace
      ? {
          ...message.trace,
          deliveredAt: Date.now(),
          deliveredBy: this.config.instance,
        }
      : undefined;
    const data = { ...message, trace };
    // Encoded once for every recipient on this instance.
    const frame = Buffer.from(
      JSON.stringify({ event: ServerEvent.Message, data }),
    );

    let sent = 0;
    for (const session of this.registry.sessions(message.room)) {
      const membership = session.rooms.get(message.room);
      if (membership && message.seq > membership.cursor) {
        membership.cursor = message.seq;
        session.sendRaw(frame);
        sent++;
      }
    }
    this.metrics.delivered(sent);
  }

  private onBusMessage(message: ChatMessage): void {
    if (message.server === this.config.instance) {
      this.timeRoundTrip(message);
    }
    if (message.trace) {
      message.trace.arrivedAt = Date.now();
    }

    const feed = this.feeds.get(message.room);
    void feed?.then((f) => f.offer(message)).catch(() => undefined);
  }

  /** Our own message came back from the bus: that took one round trip. */
  private timeRoundTrip(message: ChatMessage): void {
    const key = messageKey(message);
    const publishedAt = this.published.get(key);
    if (publishedAt !== undefined) {
      this.published.delete(key);
      this.metrics.busRoundTripped((performance.now() - publishedAt) / 1000);
    }

    // Messages the bus dropped never come back: forget them in bulk.
    if (this.published.size > MAX_TIMED_PUBLISHES) {
      this.published.clear();
    }
  }

  /**
   * A message accepted while the bus was away may never have left this
   * instance. The others would find it in the store only when a later
   * message of the room showed them the gap, so it is published again once
   * the bus is back; a copy they already have is dropped by seq.
   */
  private keepUnpublished(message: ChatMessage): void {
    if (this.unpublished.length >= MAX_TIMED_PUBLISHES) {
      this.unpublished.shift();
    }
    this.unpublished.push(message);
  }

  /** What crossed the bus while it was away is read from the store. */
  private onBusReconnected(): void {
    this.presence.resync();

    const again = this.unpublished.splice(0);
    for (const message of again) {
      this.bus.publishMessage(message);
    }

    for (const opening of this.feeds.values()) {
      void opening.then((feed) => feed.fill()).catch(() => undefined);
    }
  }

  /** Tells this instance's members of the room, but the typist's own. */
  private relayTyping(signal: TypingSignal): void {
    const frame = JSON.stringify({
      event: ServerEvent.Typing,
      data: { room: signal.room, nick: signal.nick, server: signal.server },
    });

    for (const session of this.registry.sessions(signal.room)) {
      if (session.holder !== signal.holder) {
        session.sendRaw(frame);
      }
    }
  }

  private announcePresence(rooms: string[]): void {
    for (const room of rooms) {
      const sessions = this.registry.sessions(room);
      if (sessions.size === 0) {
        continue;
      }

      const frame = JSON.stringify({
        event: ServerEvent.Presence,
        data: { room, members: this.presence.members(room) },
      });
      for (const session of sessions) {
        session.sendRaw(frame);
      }
    }
  }

  private unavailable(err: unknown, ref: string): ChatError {
    this.logger.warn({ err, ref }, 'the store or the bus failed a request');

    return new ChatError(
      ErrorCode.Unavailable,
      'The server cannot take this right now; try again',
      ref,
    );
  }
}
