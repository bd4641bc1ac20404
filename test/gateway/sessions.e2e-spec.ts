import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { CloseCode } from '../../gateway/src/protocol/index.js';
import { startTestBroker, type TestBroker } from '../support/test-broker.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { TestClient } from '../support/test-client.js';

describe('ChatGateway sessions across instances', () => {
  let broker: TestBroker;
  let storeDir: string;
  let east: TestGateway;
  let west: TestGateway;
  const clients: TestClient[] = [];

  const connect = async (gateway: TestGateway) => {
    const client = await TestClient.connect(gateway.url);
    clients.push(client);
    return client;
  };

  const env = { HEARTBEAT_MS: '200', PRESENCE_INTERVAL_MS: '200' };

  beforeAll(async () => {
    broker = await startTestBroker();
    storeDir = mkdtempSync(join(tmpdir(), 'chat-sessions-'));
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
    await other.waitFor('presence', (p) =>
      p.members.some((m) => m.nick === 'bob'),
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

  it('drops a client that stops answering pings and takes it out of every member list', async () => {
    const frozen = await connect(east);
    frozen.send('join', { room: 'frozen', nick: 'statue' });
    await frozen.waitFor('joined');
    const watcher = await connect(west);
    watcher.send('join', { room: 'frozen', nick: 'watcher' });
    const hasStatue = (members: { nick: string }[]) =>
      members.some((m) => m.nick === 'statue');
    // The east lease may reach west just after the join: then the member
    // list that shows the statue comes in a presence frame instead.
    const joined = await watcher.waitFor('joined');
    if (!hasStatue(joined.members)) {
      await watcher.waitFor('presence', (p) => hasStatue(p.members));
    }
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

    const seenWest = await watcher.waitFor('presence', (p) =>
      p.members.every((m) => m.nick !== 'statue'),
    );
    const seenEast = await local.waitFor('presence', (p) =>
      p.members.every((m) => m.nick !== 'statue'),
    );
    expect(seenWest.members.map((m) => m.nick)).toEqual(['local', 'watcher']);
    expect(seenEast.members.map((m) => m.nick)).toEqual(['local', 'watcher']);
    frozen.socket.terminate();
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
