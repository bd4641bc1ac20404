import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';

import { BusTopics } from '../../gateway/src/bus/bus-topics.js';
import type { BusHandlers } from '../../gateway/src/bus/chat-bus.js';
import type { DirectSignal } from '../../gateway/src/bus/direct-signal.js';
import { RedisBus } from '../../gateway/src/bus/redis.bus.js';
import type { TypingSignal } from '../../gateway/src/bus/typing-signal.js';
import { createLogger } from '../../gateway/src/logging/logger.js';
import type { ChatMessage } from '../../gateway/src/protocol/index.js';
import { describeWithEngines } from '../support/engine-urls.js';
import { TcpRelay } from '../support/tcp-relay.js';
import { waitUntil } from '../support/wait-until.js';

const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

/** What one bus handed to its gateway. */
class Heard implements BusHandlers {
  readonly messages: ChatMessage[] = [];
  readonly leases: unknown[] = [];
  readonly typists: TypingSignal[] = [];
  readonly directs: DirectSignal[] = [];
  reconnects = 0;
  states: boolean[] = [];
  throwOn: string | undefined;

  message(message: ChatMessage): void {
    if (message.id === this.throwOn) {
      throw new Error('handler failed');
    }
    this.messages.push(message);
  }

  presence(lease: unknown): void {
    this.leases.push(lease);
  }

  typing(signal: TypingSignal): void {
    this.typists.push(signal);
  }

  direct(signal: DirectSignal): void {
    this.directs.push(signal);
  }

  reconnected(): void {
    this.reconnects++;
  }

  state(connected: boolean): void {
    this.states.push(connected);
  }
}

const chat = (room: string, id: string, seq = 1): ChatMessage => ({
  room,
  seq,
  id,
  nick: 'ann',
  text: id,
  at: new Date().toISOString(),
  server: 'gateway-test',
});

describeWithEngines('RedisBus', ['redis'], (urls) => {
  const prefix = `test-${randomBytes(6).toString('hex')}`;
  let relay: TcpRelay;
  let raw: Redis;
  const buses: RedisBus[] = [];

  const startBus = async (url: string, heard: BusHandlers) => {
    const bus = new RedisBus(url, prefix, `test-${buses.length}`, logger);
    buses.push(bus);
    await bus.start(heard);
    return bus;
  };

  beforeAll(async () => {
    const target = new URL(urls.redis);
    relay = await TcpRelay.start({
      host: target.hostname,
      port: Number(target.port || 6379),
    });
    raw = new Redis(urls.redis, { lazyConnect: true });
    await raw.connect();
  });

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.stop()));
    await raw?.quit();
    await relay?.stop();
  });

  it('carries messages of subscribed rooms and presence between instances', async () => {
    const [east, west] = [new Heard(), new Heard()];
    const sender = await startBus(urls.redis, east);
    const receiver = await startBus(urls.redis, west);

    await receiver.subscribeRoom('a/b c');
    sender.publishMessage(chat('a/b c', 'x-1'));
    sender.publishMessage(chat('elsewhere', 'x-2'));
    sender.publishPresence({
      instance: 'gateway-test',
    } as never);
    await waitUntil('the message and the lease', () =>
      west.messages.length === 1 && west.leases.length === 1 ? true : undefined,
    );

    expect(receiver.connected).toBe(true);
    expect(west.messages.map((m) => m.id)).toEqual(['x-1']);
    expect(west.leases).toEqual([{ instance: 'gateway-test' }]);
    expect(east.leases).toEqual([{ instance: 'gateway-test' }]);
  });

  it('carries direct messages to every instance without a subscription', async () => {
    const [east, west] = [new Heard(), new Heard()];
    const sender = await startBus(urls.redis, east);
    await startBus(urls.redis, west);
    const signal: DirectSignal = {
      message: {
        conversation: '@conversation-of-two-1',
        seq: 1,
        id: 'dm-1',
        nick: 'ann',
        text: 'psst',
        at: new Date().toISOString(),
        server: 'gateway-test',
        to: 'bob',
      },
      holders: ['holder-a', 'holder-b'],
    };

    sender.publishDirect(signal);
    await waitUntil('the direct message on both', () =>
      east.directs.length === 1 && west.directs.length === 1 ? true : undefined,
    );

    expect(west.directs).toEqual([signal]);
  });

  it('drops malformed payloads and survives a throwing handler', async () => {
    const heard = new Heard();
    const bus = await startBus(urls.redis, heard);
    const channel = new BusTopics(prefix).room('checks');
    await bus.subscribeRoom('checks');
    heard.throwOn = 'boom';

    await raw.publish(channel, 'not json');
    await raw.publish(channel, JSON.stringify({ room: 'checks', seq: 'one' }));
    await raw.publish(channel, JSON.stringify(chat('checks', 'boom')));
    await raw.publish(channel, JSON.stringify(chat('checks', 'fine', 2)));
    await waitUntil('the good message', () =>
      heard.messages.length > 0 ? true : undefined,
    );

    expect(heard.messages.map((m) => m.id)).toEqual(['fine']);
  });

  it('joins without waiting while cut off, and resubscribes and reports the return', async () => {
    const heard = new Heard();
    const bus = await startBus(relay.rewrite(urls.redis), heard);
    const sender = await startBus(urls.redis, new Heard());
    await bus.subscribeRoom('before');

    await relay.stop();
    await waitUntil('the bus to notice', () =>
      bus.connected ? undefined : true,
    );
    const startedAt = Date.now();
    await bus.subscribeRoom('during');
    const waitedMs = Date.now() - startedAt;
    expect(() => bus.publishMessage(chat('before', 'lost'))).not.toThrow();
    await relay.start();
    await waitUntil('the bus to be back', () =>
      bus.connected && heard.reconnects === 1 ? true : undefined,
    );
    sender.publishMessage(chat('before', 'b-1'));
    sender.publishMessage(chat('during', 'd-1'));
    await waitUntil('both rooms heard', () =>
      heard.messages.length === 2 ? true : undefined,
    );

    expect(waitedMs).toBeLessThan(100);
    expect(heard.states).toEqual([true, false, true]);
    expect(heard.messages.map((m) => m.id).sort()).toEqual(['b-1', 'd-1']);
  }, 30_000);
});
