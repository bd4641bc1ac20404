import { afterAll, beforeAll, expect, it } from '@jest/globals';

import { createLogger } from '../../gateway/src/logging/logger.js';
import { DuplicateIdError } from '../../gateway/src/store/chat-store.js';
import { PostgresStore } from '../../gateway/src/store/postgres.store.js';
import { describeWithEngines } from '../support/engine-urls.js';
import { TcpRelay } from '../support/tcp-relay.js';
import {
  createTestDatabase,
  type TestDatabase,
} from '../support/test-database.js';
import { waitUntil } from '../support/wait-until.js';

const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

describeWithEngines('PostgresStore', ['postgres'], (urls) => {
  let database: TestDatabase;
  let relay: TcpRelay;
  const stores: PostgresStore[] = [];

  /** A store of its own pool, as another gateway would have. */
  const openStore = async (url = database.url) => {
    const store = new PostgresStore(url, logger);
    stores.push(store);
    await store.open();
    return store;
  };

  const message = (room: string, id: string, nick = 'ann') => ({
    room,
    id,
    nick,
    text: `text of ${id}`,
    server: 'gateway-test',
  });

  beforeAll(async () => {
    database = await createTestDatabase(urls.postgres);
    const target = new URL(urls.postgres);
    relay = await TcpRelay.start({
      host: target.hostname,
      port: Number(target.port || 5432),
    });
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await relay?.stop();
    await database?.drop();
  });

  it('gives a nickname to one of many holders claiming it at once, and frees it on release or expiry', async () => {
    const [east, west] = [await openStore(), await openStore()];
    const claim = (holder: string) => ({ room: 'names', key: 'ann', holder });

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? east : west).claimNick(claim(`h${i}`), 60_000),
      ),
    );
    const winner = `h${results.indexOf(true)}`;
    const again = await west.claimNick(claim(winner), 60_000);
    await east.releaseNick(claim(winner));
    const afterRelease = await west.claimNick(claim('late'), 50);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const afterExpiry = await east.claimNick(claim('later'), 60_000);
    await east.renewNicks([claim('later')], 60_000);
    const stolen = await west.claimNick(claim('thief'), 60_000);

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(again).toBe(true);
    expect(afterRelease).toBe(true);
    expect(afterExpiry).toBe(true);
    expect(stolen).toBe(false);
  });

  it('numbers 200 concurrent appends from two pools 1..200 with no gap', async () => {
    const [east, west] = [await openStore(), await openStore()];

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? east : west).append(message('storm', `m${i}`)),
      ),
    );
    const seqs = results.map((r) => r.message.seq).sort((a, b) => a - b);
    const stored = await east.after('storm', 0, 500);

    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(stored.map((m) => m.seq)).toEqual(seqs);
    expect(await west.headSeq('storm')).toBe(200);
    expect(results.every((r) => !r.duplicate)).toBe(true);
  });

  it('stores a send raced from both pools once, and answers the rest as duplicates', async () => {
    const [east, west] = [await openStore(), await openStore()];

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? east : west).append(message('race', 'same')),
      ),
    );
    await east.append(message('race', 'next'));

    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.message.seq))).toEqual(new Set([1]));
    expect(await east.headSeq('race')).toBe(2);
    await expect(
      west.append(message('race', 'same', 'bob')),
    ).rejects.toBeInstanceOf(DuplicateIdError);
  });

  it('serves the latest messages oldest first, and pages after a seq', async () => {
    const store = await openStore();
    for (let i = 1; i <= 5; i++) {
      await store.append(message('pages', `p${i}`));
    }

    const latest = await store.latest('pages', 2);
    const after = await store.after('pages', 3, 10);

    expect(latest.map((m) => m.id)).toEqual(['p4', 'p5']);
    expect(after.map((m) => m.seq)).toEqual([4, 5]);
    expect(latest[0]).toMatchObject({ room: 'pages', nick: 'ann' });
    expect(new Date(latest[0].at).toISOString()).toBe(latest[0].at);
    expect(await store.headSeq('nowhere')).toBe(0);
  });

  it('keeps conversations apart from rooms and lists them for their holders only', async () => {
    const store = await openStore();
    const conversation = {
      conversation: '@pg-conversation-0001',
      holders: ['holder-a', 'holder-b'] as [string, string],
      nicks: ['ann', 'bob'] as [string, string],
    };

    await store.openConversation(conversation);
    await store.openConversation({ ...conversation, nicks: ['ann', 'bobby'] });
    await store.append({
      room: conversation.conversation,
      id: 'c-1',
      nick: 'ann',
      text: 'psst',
      server: 'gateway-test',
    });
    const mine = await store.conversations('holder-b', 10);
    const theirs = await store.conversations('holder-c', 10);
    const rooms = await store.rooms(200);

    expect(await store.conversation(conversation.conversation)).toEqual({
      ...conversation,
      nicks: ['ann', 'bobby'],
    });
    expect(await store.conversation('@missing-conversation')).toBeNull();
    expect(mine).toEqual([
      expect.objectContaining({ nicks: ['ann', 'bobby'], lastSeq: 1 }),
    ]);
    expect(theirs).toEqual([]);
    expect(rooms.map((room) => room.room)).not.toContain(
      conversation.conversation,
    );
  });

  it('is ready only while the database answers', async () => {
    const store = await openStore(relay.rewrite(database.url));
    expect(store.ready).toBe(true);

    await relay.stop();
    await waitUntil('the store to be unready', () =>
      store.ready ? undefined : true,
    );
    await expect(store.headSeq('storm')).rejects.toThrow();
    await relay.start();
    await waitUntil('the store to be ready again', () =>
      store.ready ? true : undefined,
    );

    expect(await store.headSeq('storm')).toBe(200);
  }, 30_000);
});
