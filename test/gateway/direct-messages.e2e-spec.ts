import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startGatewayPair, type GatewayPair } from '../support/gateway-pair.js';
import { type TestGateway } from '../support/test-gateway.js';
import { TestClient } from '../support/test-client.js';

describe('ChatGateway direct messages', () => {
  let pair: GatewayPair;
  let east: TestGateway;
  let west: TestGateway;
  const clients: TestClient[] = [];

  const joined = async (
    gateway: TestGateway,
    room: string,
    nick: string,
    token?: string,
  ) => {
    const client = await TestClient.connect(gateway.url);
    clients.push(client);
    client.send('join', { room, nick, token });
    await client.waitFor('joined');
    return client;
  };

  const settle = (ms = 300) =>
    new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    pair = await startGatewayPair('direct', {
      RATE_LIMIT_PER_SECOND: '1000',
      RATE_LIMIT_BURST: '1000',
    });
    ({ east, west } = pair);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await pair?.close();
  });

  it('delivers a dm once to each session of the recipient and to the sender’s other session, with gapless seqs', async () => {
    const annToken = 'ann-token-0123456789';
    const bobToken = 'bob-token-0123456789';
    const ann = await joined(east, 'lobby', 'ann', annToken);
    const annAgain = await joined(west, 'elsewhere', 'ann', annToken);
    const bob = await joined(west, 'lobby', 'bob', bobToken);
    const bobAgain = await joined(east, 'lobby', 'bob', bobToken);
    await ann.waitForMembers('lobby', (members) => members.length === 3);

    ann.send('dm', { to: 'bob', text: 'hello bob', id: 'd-1' });
    const first = await ann.waitFor('ack', (ack) => ack.id === 'd-1');
    bob.send('dm', { to: 'ann', text: 'hi ann', id: 'd-2' });
    const second = await bob.waitFor('ack', (ack) => ack.id === 'd-2');
    await Promise.all(
      [ann, annAgain, bob, bobAgain].map((c) =>
        c.waitFor('dm', (m) => m.seq === 2),
      ),
    );
    await settle();

    expect(first.seq).toBe(1);
    expect(second).toEqual({
      id: 'd-2',
      seq: 2,
      conversation: first.conversation,
    });
    // Two instances accepted them, so they may come in either order.
    for (const client of [ann, annAgain, bob, bobAgain]) {
      const seqs = client.all('dm').map((m) => m.seq);
      expect(seqs.sort()).toEqual([1, 2]);
    }
    expect(bob.all('dm').find((m) => m.seq === 1)).toMatchObject({
      conversation: first.conversation,
      nick: 'ann',
      to: 'bob',
      text: 'hello bob',
      server: 'gateway-east',
    });
  });

  it('resumes a conversation for its people and refuses a third session', async () => {
    const carol = await joined(east, 'resume', 'carol');
    const dave = await joined(west, 'resume', 'dave');
    const eve = await joined(west, 'resume', 'eve');
    await carol.waitForMembers('resume', (members) => members.length === 3);
    for (let i = 1; i <= 3; i++) {
      carol.send('dm', { to: 'dave', text: `note ${i}`, id: `r-${i}` });
    }
    const { conversation } = await carol.waitFor('ack', (a) => a.id === 'r-3');

    dave.send('dm_resume', { conversation: conversation!, after: 1 });
    const page = await dave.waitFor('dm_history');
    eve.send('dm_resume', { conversation: conversation!, after: 0 });
    const refused = await eve.waitFor('error');
    dave.send('conversations', {});
    const listed = await dave.waitFor('conversations');

    expect(page.messages.map((m) => [m.seq, m.text])).toEqual([
      [2, 'note 2'],
      [3, 'note 3'],
    ]);
    expect(refused).toMatchObject({ code: 'forbidden', ref: conversation });
    expect(listed.conversations).toEqual([
      expect.objectContaining({
        conversation,
        peer: 'carol',
        server: 'gateway-east',
        last: 3,
      }),
    ]);
  });

  it('keeps a conversation from a later user of the same nickname', async () => {
    const frank = await joined(east, 'reuse', 'frank');
    const gina = await joined(west, 'reuse', 'gina');
    await frank.waitForMembers('reuse', (members) => members.length === 2);
    frank.send('dm', { to: 'gina', text: 'secret', id: 's-1' });
    const { conversation } = await frank.waitFor('ack');
    gina.send('leave', { room: 'reuse' });
    await gina.waitFor('left');

    const impostor = await joined(west, 'reuse', 'gina');
    impostor.send('dm_resume', { conversation: conversation!, after: 0 });
    const refused = await impostor.waitFor('error');
    impostor.send('conversations', {});
    const listed = await impostor.waitFor('conversations');

    expect(refused.code).toBe('forbidden');
    expect(listed.conversations).toEqual([]);
  });

  it('answers no_such_user for a nickname nobody online uses', async () => {
    const hal = await joined(east, 'lonely', 'hal');

    hal.send('dm', { to: 'nobody', text: 'anyone?', id: 'n-1' });
    const refused = await hal.waitFor('error');

    expect(refused).toMatchObject({ code: 'no_such_user', ref: 'n-1' });
  });
});
