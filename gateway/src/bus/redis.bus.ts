import { Redis } from 'ioredis';

import { redactedUrl } from '../config/redacted-url.js';
import type { Logger } from '../logging/logger.js';
import type { ChatMessage } from '../protocol/index.js';
import type { PresenceLease } from '../presence/presence-lease.js';
import { dispatchBusPayload } from './bus-dispatch.js';
import { BusTopics } from './bus-topics.js';
import type { BusHandlers, ChatBus } from './chat-bus.js';
import type { DirectSignal } from './direct-signal.js';
import type { TypingSignal } from './typing-signal.js';

/** First and longest pause between reconnect attempts. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;

/**
 * Longest wait for one command. A subscription sent into a half-dead
 * connection must fail the join with `unavailable`, not hold it forever.
 */
const COMMAND_TIMEOUT_MS = 5000;

/** Doubles from RECONNECT_MIN_MS up to RECONNECT_MAX_MS, with jitter. */
function reconnectDelay(attempt: number): number {
  const ceiling = Math.min(
    RECONNECT_MIN_MS * 2 ** Math.max(attempt - 1, 0),
    RECONNECT_MAX_MS,
  );

  // Jitter keeps the gateways of a cluster from reconnecting in lockstep.
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * The bus over Redis pub/sub, one channel per room plus one for presence
 * and one for direct messages,
 * named like the MQTT topics. A connection that has subscribed can only
 * run pub/sub commands, so publishing has a connection of its own. Redis
 * keeps no message for a subscriber that is away: as with MQTT at QoS 0,
 * the store fills what a disconnection drops.
 */
export class RedisBus implements ChatBus {
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;
  private readonly topics: BusTopics;
  /** Rooms this instance wants, subscribed again after every reconnect. */
  private readonly rooms = new Set<string>();
  /** Whether the subscriber has its channels back since it last connected. */
  private subscribed = false;
  private wasConnected = false;
  private everConnected = false;
  private stopping = false;
  /** Resolves start() at the first connection. */
  private firstConnect: (() => void) | undefined;
  private readonly shownUrl: string;

  constructor(
    private readonly url: string,
    prefix: string,
    private readonly clientName: string,
    private readonly logger: Logger,
  ) {
    this.topics = new BusTopics(prefix);
    this.shownUrl = redactedUrl(url);
  }

  get connected(): boolean {
    return (
      this.publisher?.status === 'ready' &&
      this.subscriber?.status === 'ready' &&
      this.subscribed
    );
  }

  async start(handlers: BusHandlers): Promise<void> {
    const publisher = this.connect('publisher');
    const subscriber = this.connect('subscriber');
    this.publisher = publisher;
    this.subscriber = subscriber;

    publisher.on('ready', () => this.noticeState(handlers));
    publisher.on('close', () => this.noticeState(handlers));
    subscriber.on('ready', () => {
      void this.resubscribe(subscriber, handlers);
    });
    subscriber.on('close', () => {
      this.subscribed = false;
      this.noticeState(handlers);
    });
    subscriber.on('message', (channel: string, payload: string) => {
      dispatchBusPayload(this.topics, handlers, this.logger, channel, payload);
    });

    const ready = new Promise<void>((resolve) => {
      this.firstConnect = resolve;
    });
    // connect() rejects when the first attempt fails, but retryStrategy
    // goes on trying: startup waits for the bus as it does with MQTT.
    publisher.connect().catch(() => undefined);
    subscriber.connect().catch(() => undefined);

    await ready;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const connections = [this.publisher, this.subscriber];
    this.publisher = undefined;
    this.subscriber = undefined;

    await Promise.all(
      connections.map(async (connection) => {
        if (!connection) {
          return;
        }
        // QUIT lets the server finish what was sent; a connection that is
        // down has nothing to finish and is simply dropped.
        await connection.quit().catch(() => connection.disconnect());
      }),
    );
  }

  async subscribeRoom(room: string): Promise<void> {
    const subscriber = this.use(this.subscriber);
    this.rooms.add(room);

    // Offline, the subscription is sent on reconnect; a join must not wait
    // for that, since the store fill on reconnect covers the meantime.
    if (!this.connected) {
      return;
    }

    try {
      await subscriber.subscribe(...this.channelsOf(room));
    } catch (err) {
      if (this.connected) {
        throw err;
      }
      this.logger.warn({ err, room }, 'lost the bus while subscribing');
    }
  }

  async unsubscribeRoom(room: string): Promise<void> {
    const subscriber = this.use(this.subscriber);
    this.rooms.delete(room);

    if (this.connected) {
      await subscriber.unsubscribe(...this.channelsOf(room));
    }
  }

  publishMessage(message: ChatMessage): void {
    this.publish(this.topics.room(message.room), JSON.stringify(message));
  }

  publishTyping(signal: TypingSignal): void {
    this.publish(this.topics.typing(signal.room), JSON.stringify(signal));
  }

  /** The channels an instance with members in a room listens to. */
  private channelsOf(room: string): string[] {
    return [this.topics.room(room), this.topics.typing(room)];
  }

  publishDirect(signal: DirectSignal): void {
    this.publish(this.topics.direct, JSON.stringify(signal));
  }

  publishPresence(lease: PresenceLease): void {
    this.publish(this.topics.presence, JSON.stringify(lease));
  }

  private connect(role: 'publisher' | 'subscriber'): Redis {
    const connection = new Redis(this.url, {
      lazyConnect: true,
      connectionName: `${this.clientName}-${role}`,
      retryStrategy: (attempt) => reconnectDelay(attempt),
      // Nothing is queued while the bus is down: a publish then is lost
      // like one at QoS 0 (the store has it), and a subscription is sent
      // again by resubscribe() once the connection is back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 5000,
      keepAlive: 10_000,
      maintNotifications: 'disabled',
    });

    connection.on('error', (err: Error) => {
      this.logger.warn({ err, bus: this.shownUrl, role }, 'bus error');
    });
    connection.on('reconnecting', (delay: number) => {
      this.logger.debug({ bus: this.shownUrl, role, delay }, 'reconnecting');
    });

    return connection;
  }

  /**
   * Subscribes to presence and to every wanted room, on each (re)connect
   * of the subscriber. The bus counts as connected only once this is done,
   * so the store fill that `reconnected()` starts comes after the
   * subscriptions and nothing falls between the two.
   */
  private async resubscribe(
    subscriber: Redis,
    handlers: BusHandlers,
  ): Promise<void> {
    const done = new Set<string>();
    const missing = () =>
      [
        this.topics.presence,
        this.topics.direct,
        ...[...this.rooms].flatMap((r) => this.channelsOf(r)),
      ].filter((channel) => !done.has(channel));

    // A room joined while this runs is not connected yet, so subscribeRoom
    // leaves it to this loop: go round until no wanted channel is missing.
    for (let next = missing(); next.length > 0; next = missing()) {
      try {
        await subscriber.subscribe(...next);
      } catch (err) {
        // The connection broke again; its next 'ready' tries once more.
        this.logger.warn({ err, bus: this.shownUrl }, 'could not resubscribe');
        return;
      }
      next.forEach((channel) => done.add(channel));
    }

    this.subscribed = true;
    this.noticeState(handlers);
  }

  /** Tells the gateway when the bus as a whole comes or goes. */
  private noticeState(handlers: BusHandlers): void {
    const connected = this.connected;
    if (connected === this.wasConnected || this.stopping) {
      return;
    }

    this.wasConnected = connected;
    if (!connected) {
      this.logger.warn({ bus: this.shownUrl }, 'lost the bus; reconnecting');
      handlers.state(false);
      return;
    }

    this.logger.info({ bus: this.shownUrl }, 'connected to the bus');
    handlers.state(true);
    if (this.everConnected) {
      handlers.reconnected();
    }
    this.everConnected = true;
    this.firstConnect?.();
    this.firstConnect = undefined;
  }

  private publish(channel: string, payload: string): void {
    const publisher = this.use(this.publisher);

    publisher.publish(channel, payload).catch((err: unknown) => {
      this.logger.debug({ err, channel }, 'a publish was lost');
    });
  }

  private use(connection: Redis | undefined): Redis {
    if (!connection) {
      throw new Error('The bus is not started');
    }

    return connection;
  }
}
