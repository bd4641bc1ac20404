import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { CloseCode, type Member } from '../../gateway/src/protocol/index.js';
import { startGatewayPair, type GatewayPair } from '../support/gateway-pair.js';
import type { TestBroker } from '../support/test-broker.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { TestClient } from '../support/test-client.js';

describe('ChatGateway sessions across instances', () => {
  let pair: GatewayPair;
  let broker: TestBroker;
  let storeDir: string;
  let east: TestGateway;
  let west: TestGateway;

  const connect = (gateway: TestGateway) => pair.connect(gateway);

  const env = { HEARTBEAT_MS: '200', PRESENCE_INTERVAL_MS: '200' };

  beforeAll(async () => {
    pair = await startGatewayPair('sessions', env);
    ({ broker, storeDir, east, west } = pair);
  });

  afterAll(async () => {
    await pair?.close();
  });

  it('acks a send retried on the other instance with the same seq and delivers it once', async () => {
    const watcher = await connect(west);
    watcher.send('join', { room: 'retry', nick: 'watcher' });
    await watcher.waitFor('joined');
    const first = await connect(east);
    first.send('join', { room: 'retry', nick: 'ann' });
    const { token } = await first.waitFor('joined');
    first.send('send', { room: 'retry', text: 'only once', id: 'once-1' });
    const ack = await first.waitFor('ack');
    await first.close();

    const again = await connect(west);
    again.send('join', { room: 'retry', nick: 'ann', token });
    await again.waitFor('joined');
    again.send('send', { room: 'retry', text: 'only once', id: 'once-1' });
    const reAck = await again.waitFor('ack');
    again.send('send', { room: 'retry', text: 'next', id: 'once-2' });
    await watcher.waitFor('message', (m) => m.id === 'once-2');

    expect(reAck).toEqual(ack);
    expect(watcher.messages('retry').map((m) => m.id)).toEqual([
      'once-1',
      'once-2',
    ]);
  });

  it('gives a reconnecting user the nickname back with the token while the old lease lives', async () => {
    const first = await connect(east);
    first.send('join', { room: 'token', nick: 'bob' });
    const { token } = await first.waitFor('joined');
    const other = await connect(west);
    other.send('join', { room: 'token', nick: 'other' });
    await other.waitForMembers('token', (members) =>
      members.some((m) => m.nick === 'bob'),
    );

    const thief = await connect(west);
    thief.send('join', { room: 'token', nick: 'bob' });
    const refused = await thief.waitFor('error');
    const owner = await connect(west);
    owner.send('join', { room: 'token', nick: 'bob', token });
    const joined = await owner.waitFor('joined');

    expect(refused.code).toBe('nick_taken');
    expect(joined.nick).toBe('bob');
  });

  it('keeps the nickname of a user whose old connection dies while the new one lives on the other instance', async () => {
    const old = await connect(east);
    old.send('join', { room: 'keep', nick: 'alice' });
    const { token } = await old.waitFor('joined');
    const renewed = await connect(west);
    renewed.send('join', { room: 'keep', nick: 'alice', token });
    await renewed.waitFor('joined');

    old.socket.terminate();
    await old.closed;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const thief = await connect(east);
    thief.send('join', { room: 'keep', nick: 'Alice' });
    const error = await thief.waitFor('error');

    expect(error.code).toBe('nick_taken');
  });

  it('frees the old nickname of a session that renames itself', async () => {
    const renamer = await connect(east);
    renamer.send('join', { room: 'rename', nick: 'before' });
    await renamer.waitFor('joined');
    renamer.send('join', { room: 'rename', nick: 'after' });
    await renamer.waitFor('joined', (j) => j.nick === 'after');

    const other = await connect(west);
    other.send('join', { room: 'rename', nick: 'before' });
    const joined = await other.waitFor('joined');

    expect(joined.nick).toBe('before');
  });

  it('drops a client that stops answering pings and takes it out of every member list', async () => {
    const frozen = await connect(east);
    frozen.send('join', { room: 'frozen', nick: 'statue' });
    await frozen.waitFor('joined');
    const watcher = await connect(west);
    watcher.send('join', { room: 'frozen', nick: 'watcher' });
    await watcher.waitForMembers('frozen', (members) =>
      members.some((m) => m.nick === 'statue'),
    );
    const local = await connect(east);
    local.send('join', { room: 'frozen', nick: 'local' });
    await local.waitFor('joined');
    await watcher.waitFor('presence', (p) =>
      p.members.some((m) => m.nick === 'local'),
    );
    // Only the frames that follow the freeze count from here.
    watcher.frames.length = 0;
    local.frames.length = 0;

    frozen.socket.pause();

    const gone = (members: Member[]) =>
      members.every((m) => m.nick !== 'statue') &&
      members.some((m) => m.nick === 'local');
    const seenWest = await watcher.waitForMembers('frozen', gone);
    const seenEast = await local.waitForMembers('frozen', gone);
    expect(seenWest.map((m) => m.nick)).toEqual(['local', 'watcher']);
    expect(seenEast.map((m) => m.nick)).toEqual(['local', 'watcher']);
    frozen.socket.terminate();
  });

  it('keeps its clients through a stalled event loop, pongs unread', async () => {
    const client = await connect(east);
    client.send('join', { room: 'stall', nick: 'patient' });
    await client.waitFor('joined');

    // The client has answered the ping when it sees it; blocking the one
    // event loop here keeps the gateway from reading that pong for three
    // heartbeat intervals, as a long pause of the instance would.
    await new Promise<void>((resolve) => {
      client.socket.once('ping', () => {
        const until = performance.now() + 3 * 200;
        while (performance.now() < until) {
          // busy: nothing else runs
        }
        resolve();
      });
    });

    // Three more heartbeats, each judged on its own pong.
    for (let beat = 0; beat < 3; beat++) {
      await new Promise((resolve) => client.socket.once('ping', resolve));
    }
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('tells its clients to reconnect with 1012 when it shuts down', async () => {
    const spare = await startTestGateway({
      busUrl: broker.url,
      instance: 'gateway-spare',
      storeDir,
    });
    const client = await TestClient.connect(spare.url);
    client.send('join', { room: 'shutdown', nick: 'leaving' });
    await client.waitFor('joined');

    await spare.close();
    const { code } = await client.closed;

    expect(code).toBe(CloseCode.ServiceRestart);
  });
});
