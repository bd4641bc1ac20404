import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startTestBroker, type TestBroker } from '../support/test-broker.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { TestClient } from '../support/test-client.js';

describe('ChatGateway typing and rooms', () => {
  let broker: TestBroker;
  let storeDir: string;
  let east: TestGateway;
  let west: TestGateway;
  const clients: TestClient[] = [];

  const joined = async (gateway: TestGateway, room: string, nick: string) => {
    const client = await TestClient.connect(gateway.url);
    clients.push(client);
    client.send('join', { room, nick });
    await client.waitFor('joined');
    return client;
  };

  beforeAll(async () => {
    broker = await startTestBroker();
    storeDir = mkdtempSync(join(tmpdir(), 'chat-features-'));
    const env = { RATE_LIMIT_PER_SECOND: '1000', RATE_LIMIT_BURST: '1000' };
    east = await startTestGateway({
      busUrl: broker.url,
      instance: 'gateway-east',
      storeDir,
      env,
    });
    west = await startTestGateway({
      busUrl: broker.url,
      instance: 'gateway-west',
      storeDir,
      env,
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await east?.close();
    await west?.close();
    await broker?.close();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('relays typing to the other members on both instances, thinned, and stores nothing', async () => {
    const ann = await joined(east, 'typing', 'ann');
    const near = await joined(east, 'typing', 'near');
    const far = await joined(west, 'typing', 'far');

    for (let i = 0; i < 30; i++) {
      ann.send('typing', { room: 'typing' });
    }
    const atFar = await far.waitFor('typing');
    await near.waitFor('typing');
    await new Promise((resolve) => setTimeout(resolve, 300));
    ann.send('resume', { room: 'typing', after: 0 });
    const { messages } = await ann.waitFor('history');

    expect(atFar).toEqual({
      room: 'typing',
      nick: 'ann',
      server: 'gateway-east',
    });
    expect(far.all('typing')).toHaveLength(1);
    expect(near.all('typing')).toHaveLength(1);
    expect(ann.all('typing')).toEqual([]);
    expect(messages).toEqual([]);
  });

  it('lists rooms with their members on every instance and their latest seq', async () => {
    const a = await joined(east, 'listed', 'a');
    await joined(west, 'listed', 'b');
    a.send('send', { room: 'listed', text: 'one', id: 'l-1' });
    a.send('send', { room: 'listed', text: 'two', id: 'l-2' });
    await a.waitFor('ack', (ack) => ack.id === 'l-2');
    await a.waitForMembers('listed', (members) => members.length === 2);

    a.send('rooms', {});
    const { rooms } = await a.waitFor('rooms');

    expect(rooms[0]).toMatchObject({ room: 'listed', members: 2, last: 2 });
    expect(new Date(rooms[0].lastAt!).toISOString()).toBe(rooms[0].lastAt);
  });
});
