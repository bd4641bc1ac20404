import { Socket } from 'node:net';

import mqtt, { type MqttClient } from 'mqtt';

import { redactedUrl } from '../config/redacted-url.js';
import type { Logger } from '../logging/logger.js';
import type { ChatMessage } from '../protocol/index.js';
import type { PresenceLease } from '../presence/presence-lease.js';
import type { WriteWindow } from '../ws/write-window.js';
import { dispatchBusPayload } from './bus-dispatch.js';
import type { DirectSignal } from './direct-signal.js';
import type { TypingSignal } from './typing-signal.js';
import { BusTopics } from './bus-topics.js';
import type { BusHandlers, ChatBus } from './chat-bus.js';

/** First and longest pause between reconnect attempts. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;

/**
 * The bus over MQTT: the embedded aedes broker by default, or any external
 * broker. QoS 0 is enough because the store is the source of truth: what a
 * disconnection drops is filled from it.
 */
export class MqttBus implements ChatBus {
  private client: MqttClient | undefined;
  private readonly topics: BusTopics;
  private everConnected = false;
  /** The URL as logs show it, without a password. */
  private readonly shownUrl: string;

  constructor(
    private readonly url: string,
    prefix: string,
    private readonly clientId: string,
    private readonly logger: Logger,
    private readonly window?: WriteWindow,
  ) {
    this.topics = new BusTopics(prefix);
    this.shownUrl = redactedUrl(url);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(handlers: BusHandlers): Promise<void> {
    const client = mqtt.connect(this.url, {
      // Each instance needs its own id: a broker disconnects the older of
      // two clients that share one.
      clientId: this.clientId,
      clean: true,
      reconnectPeriod: RECONNECT_MIN_MS,
      connectTimeout: 5000,
      keepalive: 10,
    });
    this.client = client;

    client.on('connect', () => {
      // No Nagle on the bus: see the broker. mqtt.js exposes the TCP socket
      // as its stream and makes a new one on every reconnect.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(
        true,
      );
      client.options.reconnectPeriod = RECONNECT_MIN_MS;
      this.logger.info({ bus: this.shownUrl }, 'connected to the bus');
      handlers.state(true);
      if (this.everConnected) {
        handlers.reconnected();
      }
      this.everConnected = true;
    });
    client.on('close', () => {
      if (this.everConnected) {
        handlers.state(false);
      }
    });
    client.on('offline', () => {
      this.logger.warn({ bus: this.shownUrl }, 'lost the bus; reconnecting');
    });
    // mqtt.js retries at a fixed period; doubling it after each failed try
    // keeps a whole cluster from hammering a broker that is coming back.
    client.on('reconnect', () => {
      const period = client.options.reconnectPeriod ?? RECONNECT_MIN_MS;
      client.options.reconnectPeriod = Math.min(period * 2, RECONNECT_MAX_MS);
    });
    client.on('error', (err) => {
      this.logger.warn({ err, bus: this.shownUrl }, 'bus error');
    });
    client.on('message', (topic, payload) => {
      dispatchBusPayload(
        this.topics,
        handlers,
        this.logger,
        topic,
        payload.toString('utf8'),
      );
    });

    await new Promise<void>((resolve) =>
      client.once('connect', () => resolve()),
    );
    await client.subscribeAsync([this.topics.presence, this.topics.direct], {
      qos: 0,
    });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
    this.client = undefined;
  }

  async subscribeRoom(room: string): Promise<void> {
    const client = this.use();
    const subscribing = client.subscribeAsync(
      [this.topics.room(room), this.topics.typing(room)],
      { qos: 0 },
    );

    // Offline, mqtt.js sends the subscription on reconnect; a join must not
    // wait for that, since the store fill on reconnect covers the meantime.
    if (!client.connected) {
      subscribing.catch((err: unknown) => {
        this.logger.warn({ err, room }, 'could not subscribe to a room');
      });
      return;
    }

    await subscribing;
  }

  async unsubscribeRoom(room: string): Promise<void> {
    await this.use().unsubscribeAsync([
      this.topics.room(room),
      this.topics.typing(room),
    ]);
  }

  publishMessage(message: ChatMessage): void {
    const client = this.use();

    // Messages accepted while the instance handles one batch of I/O reach
    // the broker in one write.
    if (this.window && client.stream instanceof Socket) {
      this.window.hold(client.stream);
    }
    client.publish(this.topics.room(message.room), JSON.stringify(message));
  }

  publishTyping(signal: TypingSignal): void {
    this.use().publish(this.topics.typing(signal.room), JSON.stringify(signal));
  }

  publishDirect(signal: DirectSignal): void {
    this.use().publish(this.topics.direct, JSON.stringify(signal));
  }

  publishPresence(lease: PresenceLease): void {
    this.use().publish(this.topics.presence, JSON.stringify(lease));
  }

  private use(): MqttClient {
    if (!this.client) {
      throw new Error('The bus is not started');
    }

    return this.client;
  }
}
