import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startGatewayPair, type GatewayPair } from '../support/gateway-pair.js';
import { type TestGateway } from '../support/test-gateway.js';
import { TestClient } from '../support/test-client.js';

describe('ChatGateway typing and rooms', () => {
  let pair: GatewayPair;
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
    pair = await startGatewayPair('features', {
      RATE_LIMIT_PER_SECOND: '1000',
      RATE_LIMIT_BURST: '1000',
    });
    ({ east, west } = pair);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await pair?.close();
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
