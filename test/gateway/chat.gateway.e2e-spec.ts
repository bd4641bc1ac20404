import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { ErrorCode } from '../../gateway/src/protocol/index.js';
import { startGatewayPair, type GatewayPair } from '../support/gateway-pair.js';
import { type TestGateway } from '../support/test-gateway.js';

describe('ChatGateway', () => {
  let pair: GatewayPair;
  let east: TestGateway;
  let west: TestGateway;

  const connect = (gateway: TestGateway) => pair.connect(gateway);

  beforeAll(async () => {
    pair = await startGatewayPair('e2e');
    ({ east, west } = pair);
  });

  afterAll(async () => {
    await pair?.close();
  });

  describe('hello', () => {
    it('should greet a new connection with the instance name and port', async () => {
      const client = await connect(east);

      expect(client.first('hello')).toEqual({
        server: 'gateway-east',
        port: east.port,
        pid: process.pid,
      });
    });
  });

  describe('join', () => {
    it('should answer joined with members of every instance and the history', async () => {
      const ann = await connect(east);
      const bob = await connect(west);

      ann.send('join', { room: 'lobby', nick: 'ann' });
      await ann.waitFor('joined');
      bob.send('join', { room: 'lobby', nick: 'bob' });
      const joined = await bob.waitFor('joined');

      // The lease of ann's instance may reach west a moment after bob's
      // join: the list is complete in `joined` or in the presence after it.
      const members = await bob.waitForMembers('lobby', (m) => m.length === 2);

      expect(joined.room).toBe('lobby');
      expect(joined.server).toBe('gateway-west');
      expect(members).toEqual([
        { nick: 'ann', server: 'gateway-east' },
        { nick: 'bob', server: 'gateway-west' },
      ]);
      expect(joined.history).toEqual([]);
      expect(joined.token).toMatch(/^[\w-]{16,}$/);
      await ann.waitForMembers('lobby', (members) => members.length === 2);
    });

    it('should refuse a nickname held by a live session on another instance', async () => {
      const first = await connect(east);
      const watcher = await connect(west);
      const second = await connect(west);
      watcher.send('join', { room: 'names', nick: 'watcher' });
      await watcher.waitFor('joined');
      first.send('join', { room: 'names', nick: 'alice' });
      await watcher.waitForMembers('names', (members) =>
        members.some((m) => m.nick === 'alice'),
      );

      second.send('join', { room: 'names', nick: 'Alice' });
      const error = await second.waitFor('error');

      expect(error.code).toBe(ErrorCode.NickTaken);
    });
  });

  describe('send', () => {
    it('should ack the sender and deliver the message to members on both instances', async () => {
      const ann = await connect(east);
      const bob = await connect(west);
      ann.send('join', { room: 'deliver', nick: 'ann' });
      bob.send('join', { room: 'deliver', nick: 'bob' });
      await ann.waitFor('joined');
      await bob.waitFor('joined');

      ann.send('send', { room: 'deliver', text: 'hi bob', id: 'm-1' });
      const ack = await ann.waitFor('ack', (a) => a.id === 'm-1');
      const atBob = await bob.waitFor('message', (m) => m.id === 'm-1');
      const atAnn = await ann.waitFor('message', (m) => m.id === 'm-1');

      expect(ack.seq).toBe(1);
      expect(atBob).toMatchObject({
        room: 'deliver',
        seq: 1,
        nick: 'ann',
        text: 'hi bob',
        server: 'gateway-east',
      });
      expect(new Date(atBob.at).toISOString()).toBe(atBob.at);
      expect({ ...atAnn, trace: undefined }).toEqual({
        ...atBob,
        trace: undefined,
      });
      expect(atBob.trace).toMatchObject({ deliveredBy: 'gateway-west' });
      expect(atAnn.trace).toMatchObject({ deliveredBy: 'gateway-east' });
      const { acceptedAt, storedAt, arrivedAt, deliveredAt } = atBob.trace!;
      expect(acceptedAt).toBeLessThanOrEqual(storedAt);
      expect(storedAt).toBeLessThanOrEqual(arrivedAt!);
      expect(arrivedAt).toBeLessThanOrEqual(deliveredAt!);
    });

    it('should store a retried id once and ack it with the same seq', async () => {
      const ann = await connect(east);
      const bob = await connect(west);
      ann.send('join', { room: 'retry', nick: 'ann' });
      bob.send('join', { room: 'retry', nick: 'bob' });
      await ann.waitFor('joined');
      await bob.waitFor('joined');

      ann.send('send', { room: 'retry', text: 'once', id: 'r-1' });
      ann.send('send', { room: 'retry', text: 'once', id: 'r-1' });
      ann.send('send', { room: 'retry', text: 'after', id: 'r-2' });
      await bob.waitFor('message', (m) => m.id === 'r-2');

      expect(ann.all('ack').filter((a) => a.id === 'r-1')).toEqual([
        { id: 'r-1', seq: 1 },
        { id: 'r-1', seq: 1 },
      ]);
      expect(bob.messages('retry').map((m) => m.seq)).toEqual([1, 2]);
    });

    it('should refuse a send to a room the connection has not joined', async () => {
      const client = await connect(east);

      client.send('send', { room: 'elsewhere', text: 'hi', id: 'x-1' });
      const error = await client.waitFor('error');

      expect(error).toMatchObject({ code: ErrorCode.NotJoined, ref: 'x-1' });
    });
  });

  describe('resume', () => {
    it('should return every message after the given seq, in order', async () => {
      const ann = await connect(east);
      ann.send('join', { room: 'resume', nick: 'ann' });
      await ann.waitFor('joined');
      for (let i = 1; i <= 5; i++) {
        ann.send('send', { room: 'resume', text: `n${i}`, id: `n${i}` });
      }
      await ann.waitFor('ack', (a) => a.id === 'n5');

      ann.send('resume', { room: 'resume', after: 2 });
      const history = await ann.waitFor('history');

      expect(history.room).toBe('resume');
      expect(history.messages.map((m) => [m.seq, m.text])).toEqual([
        [3, 'n3'],
        [4, 'n4'],
        [5, 'n5'],
      ]);
    });

    it('should hand a later joiner the history, oldest first', async () => {
      const late = await connect(west);

      late.send('join', { room: 'resume', nick: 'late' });
      const joined = await late.waitFor('joined');

      expect(joined.history.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    });
  });

  describe('metrics', () => {
    const sample = async (gateway: TestGateway, name: string) => {
      const response = await fetch(`http://127.0.0.1:${gateway.port}/metrics`);
      const text = await response.text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
      return Number(line?.split(' ').at(-1) ?? 0);
    };

    it('should count accepted messages and deliveries in Prometheus text', async () => {
      const ann = await connect(east);
      const bob = await connect(east);
      ann.send('join', { room: 'metrics', nick: 'ann' });
      bob.send('join', { room: 'metrics', nick: 'bob' });
      await ann.waitFor('joined');
      await bob.waitFor('joined');
      const accepted = await sample(east, 'chat_messages_accepted_total');
      const delivered = await sample(east, 'chat_deliveries_total');

      for (let i = 0; i < 5; i++) {
        ann.send('send', { room: 'metrics', text: `m${i}`, id: `metric-${i}` });
      }
      await bob.waitForMessages('metrics', 5);
      await ann.waitForMessages('metrics', 5);
      const response = await fetch(`http://127.0.0.1:${east.port}/metrics`);

      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toMatch(
        /^# HELP chat_connections .+\n# TYPE chat_connections gauge$/m,
      );
      expect(await sample(east, 'chat_messages_accepted_total')).toBe(
        accepted + 5,
      );
      expect(await sample(east, 'chat_deliveries_total')).toBe(delivered + 10);
    });
  });

  describe('errors', () => {
    it('should answer a malformed frame with a coded error and stay open', async () => {
      const client = await connect(east);

      client.sendRaw('hello');
      const error = await client.waitFor('error');
      client.send('join', { room: 'after-error', nick: 'still-here' });
      const joined = await client.waitFor('joined');

      expect(error).toMatchObject({ code: ErrorCode.BadJson, ref: null });
      expect(joined.nick).toBe('still-here');
    });

    it.each([
      ['null', ErrorCode.BadFrame],
      ['[]', ErrorCode.BadFrame],
      ['{"data":1}', ErrorCode.BadFrame],
      ['{"event":"dance","data":{}}', ErrorCode.UnknownEvent],
      ['{"event":"join","data":{"room":"x"}}', ErrorCode.InvalidData],
      [
        '{"event":"send","data":{"room":"x","text":7,"id":"a"}}',
        ErrorCode.InvalidData,
      ],
    ])('should answer %s with %s', async (frame, code) => {
      const client = await connect(west);

      client.sendRaw(frame);
      const error = await client.waitFor('error');

      expect(error.code).toBe(code);
    });
  });
});
