import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';

import {
  CloseCode,
  ErrorCode,
  type ErrorCodeName,
} from '../../gateway/src/protocol/index.js';
import { startGatewayPair, type GatewayPair } from '../support/gateway-pair.js';
import { type TestGateway } from '../support/test-gateway.js';
import { TestClient } from '../support/test-client.js';

const long = (n: number) => 'x'.repeat(n);

/** Each bad frame and the code it must get back. */
const BAD_FRAMES: [string, string, ErrorCodeName][] = [
  ['text that is not JSON', 'hello', ErrorCode.BadJson],
  ['a truncated object', '{"event":"send","data":{"room":', ErrorCode.BadJson],
  ['null', 'null', ErrorCode.BadFrame],
  ['an array', '[]', ErrorCode.BadFrame],
  ['data without an event', '{"data":1}', ErrorCode.BadFrame],
  ['an unknown event', '{"event":"shout","data":{}}', ErrorCode.UnknownEvent],
  [
    'send with an empty text',
    '{"event":"send","data":{"room":"bad","text":"","id":"e1"}}',
    ErrorCode.InvalidData,
  ],
  [
    'send with a text over the limit',
    JSON.stringify({
      event: 'send',
      data: { room: 'bad', text: long(4001), id: 'e2' },
    }),
    ErrorCode.InvalidData,
  ],
  [
    'send with a number for a text',
    '{"event":"send","data":{"room":"bad","text":42,"id":"e3"}}',
    ErrorCode.InvalidData,
  ],
  [
    'send with only invisible characters',
    '{"event":"send","data":{"room":"bad","text":"\\u200b","id":"e4"}}',
    ErrorCode.InvalidData,
  ],
  [
    'send with a control character',
    '{"event":"send","data":{"room":"bad","text":"a\\u0007b","id":"e5"}}',
    ErrorCode.InvalidData,
  ],
  [
    'join without a nick',
    '{"event":"join","data":{"room":"bad"}}',
    ErrorCode.InvalidData,
  ],
  [
    'join with a nick of only a Hangul filler',
    '{"event":"join","data":{"room":"bad","nick":"\\u3164"}}',
    ErrorCode.InvalidData,
  ],
  [
    'join with an Arabic letter mark in the nick',
    '{"event":"join","data":{"room":"bad","nick":"a\\u061cb"}}',
    ErrorCode.InvalidData,
  ],
  [
    'join with a direction override in the nick',
    '{"event":"join","data":{"room":"bad","nick":"\\u202eann"}}',
    ErrorCode.InvalidData,
  ],
  [
    'join of a room with a path in its name',
    '{"event":"join","data":{"room":"bad/../x","nick":"ann"}}',
    ErrorCode.InvalidData,
  ],
  [
    'resume with a negative seq',
    '{"event":"resume","data":{"room":"bad","after":-1}}',
    ErrorCode.InvalidData,
  ],
];

describe('ChatGateway with bad input', () => {
  let pair: GatewayPair;
  let east: TestGateway;
  let west: TestGateway;

  const connect = (gateway: TestGateway) => pair.connect(gateway);

  beforeAll(async () => {
    pair = await startGatewayPair('bad', {
      RATE_LIMIT_PER_SECOND: '10',
      RATE_LIMIT_BURST: '30',
    });
    ({ east, west } = pair);
  });

  afterAll(async () => {
    await pair?.close();
  });

  it('answers each bad frame with its code, keeps the connection, and shows others none of it', async () => {
    const other = await connect(west);
    other.send('join', { room: 'bad', nick: 'other' });
    await other.waitFor('joined');
    const sender = await connect(east);

    for (const [, frame] of BAD_FRAMES) {
      sender.sendRaw(frame);
    }
    await sender.waitFor(
      'error',
      () => sender.all('error').length === BAD_FRAMES.length,
    );
    sender.send('join', { room: 'bad', nick: 'sender' });
    await sender.waitFor('joined');
    sender.send('send', { room: 'bad', text: 'good after bad', id: 'ok-1' });
    await other.waitFor('message', (m) => m.id === 'ok-1');

    expect(sender.all('error').map((e) => e.code)).toEqual(
      BAD_FRAMES.map(([, , code]) => code),
    );
    expect(other.messages('bad').map((m) => m.text)).toEqual([
      'good after bad',
    ]);
    expect(other.all('error')).toEqual([]);
  });

  it('closes a connection that sends a frame over the size limit with 1009', async () => {
    const big = await connect(east);
    const bystander = await connect(east);
    bystander.send('join', { room: 'big', nick: 'bystander' });
    await bystander.waitFor('joined');

    big.sendRaw(long(200_000));
    const { code } = await big.closed;
    bystander.send('send', { room: 'big', text: 'still here', id: 'b-1' });

    expect(code).toBe(CloseCode.MessageTooBig);
    expect((await bystander.waitFor('ack')).id).toBe('b-1');
  });

  it('refuses frames over the rate with rate_limited and stores none of them', async () => {
    const flood = await connect(east);
    flood.send('join', { room: 'flood', nick: 'flood' });
    await flood.waitFor('joined');

    for (let i = 0; i < 60; i++) {
      flood.send('send', { room: 'flood', text: `n${i}`, id: `f${i}` });
    }
    await flood.waitFor(
      'ack',
      () => flood.all('ack').length + flood.all('error').length >= 60,
    );
    const reader = await connect(west);
    reader.send('join', { room: 'flood', nick: 'reader' });
    const { history } = await reader.waitFor('joined');

    const limited = flood.all('error').filter((e) => e.code === 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(flood.all('ack').length + limited.length).toBe(60);
    expect(history.map((m) => m.id)).toEqual(flood.all('ack').map((a) => a.id));
  });

  it('refuses nicknames that read like one held on the other instance', async () => {
    const alice = await connect(east);
    alice.send('join', { room: 'names', nick: 'alice' });
    await alice.waitFor('joined');
    const watcher = await connect(west);
    watcher.send('join', { room: 'names', nick: 'watcher' });
    await watcher.waitForMembers('names', (members) =>
      members.some((m) => m.nick === 'alice'),
    );

    const codes: string[] = [];
    const lookalikes = [
      'alice',
      'Alice',
      'alice ',
      'al\u200bice',
      'ａｌｉｃｅ',
      'alice\ufe0f',
      'ali\u034fce',
      'alice\u{e0041}',
      'ali\u180ece',
      'ali\u2062ce',
      'alice\u3164',
    ];
    for (const nick of lookalikes) {
      const impostor = await connect(west);
      impostor.send('join', { room: 'names', nick });
      codes.push((await impostor.waitFor('error')).code);
    }

    expect(codes).toEqual(Array(lookalikes.length).fill(ErrorCode.NickTaken));
  });

  it('gives a nickname to one of two people who take it on two instances at once', async () => {
    const outcomes: string[] = [];

    for (let round = 0; round < 10; round++) {
      const room = `race${round}`;
      const [left, right] = await Promise.all([connect(east), connect(west)]);
      left.send('join', { room, nick: 'same' });
      right.send('join', { room, nick: 'SAME' });
      const settle = (client: TestClient) =>
        Promise.race([
          client.waitFor('joined').then(() => 'joined'),
          client.waitFor('error').then((e) => e.code),
        ]);
      outcomes.push([await settle(left), await settle(right)].sort().join());
    }

    expect(new Set(outcomes)).toEqual(new Set(['joined,nick_taken']));
  });

  it('serves rooms named like object prototype keys on both instances', async () => {
    const first = await connect(east);
    const second = await connect(west);

    for (const room of ['constructor', '__proto__', 'toString']) {
      first.send('join', { room, nick: 'first' });
      await first.waitFor('joined', (j) => j.room === room);
      second.send('join', { room, nick: 'second' });
      await second.waitFor('joined', (j) => j.room === room);
      await first.waitForMembers(room, (members) => members.length === 2);
    }

    expect(first.all('error')).toEqual([]);
    expect(second.all('error')).toEqual([]);
  });

  it('shows the session nick as author whatever author the frame claims', async () => {
    const mallory = await connect(east);
    mallory.send('join', { room: 'author', nick: 'mallory' });
    await mallory.waitFor('joined');

    mallory.sendRaw(
      JSON.stringify({
        event: 'send',
        data: { room: 'author', text: 'hi', id: 'a-1', nick: 'admin' },
      }),
    );
    const message = await mallory.waitFor('message');

    expect(message.nick).toBe('mallory');
  });

  it('refuses a browser upgrade from a foreign origin with 403', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(east.url, {
        headers: { Origin: 'https://evil.example' },
      });
      socket.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        socket.terminate();
      });
      socket.once('open', () => reject(new Error('upgrade accepted')));
      socket.once('error', () => undefined);
    });
    const rebound = await new Promise<number>((resolve) => {
      const socket = new WebSocket(east.url, {
        headers: {
          Origin: `http://evil.example:${east.port}`,
          Host: `evil.example:${east.port}`,
        },
      });
      socket.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        socket.terminate();
      });
      socket.once('open', () => {
        resolve(101);
        socket.terminate();
      });
      socket.once('error', () => undefined);
    });
    expect(rebound).toBe(403);
    const own = await pair.connect(east, {
      Origin: `http://127.0.0.1:${east.port}`,
    });

    expect(status).toBe(403);
    expect(own.server).toBe('gateway-east');
  });

  it('refuses to join more rooms than a connection may hold', async () => {
    const roamer = await connect(west);

    for (let i = 0; i <= 20; i++) {
      roamer.send('join', { room: `roam${i}`, nick: 'roamer' });
    }
    const error = await roamer.waitFor('error');

    expect(roamer.all('joined')).toHaveLength(20);
    expect(error).toMatchObject({
      code: ErrorCode.TooManyRooms,
      ref: 'roam20',
    });
  });
});
