import { connect, type Socket } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { RunningBalancer } from '../../balancer/src/balancer.js';
import { FakeGateway } from './support/fake-gateway.js';
import { httpUrl, startTestBalancer, wsUrl } from './support/test-balancer.js';
import { waitFor } from './support/wait-for.js';
import {
  closeClient,
  connectClient,
  expectRefusedUpgrade,
} from './support/ws-client.js';

const TEST_TIMEOUT_MS = 10_000;

const UPGRADE_REQUEST = [
  'GET /ws HTTP/1.1',
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
  '',
  '',
].join('\r\n');

/** Sends raw bytes and collects what comes back until the socket closes. */
function exchangeRaw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`socket still open after 2 s; got "${answer}"`));
    }, 2000);

    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(request);
  });
}

/** Opens a raw socket, sends bytes, and waits for the connection. */
function openRaw(port: number, request: string | Buffer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(request);
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

/** A masked client text frame (RFC 6455 section 5.2), small payloads only. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0));
  return Buffer.concat([
    Buffer.from([0x81, 0x80 | payload.length]),
    mask,
    masked,
  ]);
}

/** Collects what comes back on a socket until `text` shows up in it. */
function waitForText(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      reject(new Error(`no "${text}" in 2 s; got "${seen}"`));
    }, 2000);

    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (!seen.includes(text)) return;

      clearTimeout(timer);
      resolve(seen);
    });
  });
}

async function expectAlive(balancer: RunningBalancer): Promise<void> {
  const res = await fetch(httpUrl(balancer, '/healthz'));
  expect(res.status).toBe(200);
}

describe('Balancer robustness', () => {
  let gatewayA: FakeGateway;
  let gatewayB: FakeGateway;
  let balancer: RunningBalancer;

  beforeAll(async () => {
    gatewayA = await FakeGateway.start('a');
    gatewayB = await FakeGateway.start('b');
    // Probes far apart, so the test decides when the balancer learns that
    // a gateway has gone.
    balancer = await startTestBalancer([gatewayA, gatewayB], {
      healthIntervalMs: 60_000,
    });
  });

  afterAll(async () => {
    await balancer?.close();
    await gatewayA?.close();
    await gatewayB?.close();
  });

  it(
    'answers garbage and non-WebSocket upgrades without crashing',
    async () => {
      const garbage = await exchangeRaw(
        balancer.port,
        '\x00\x01 nonsense\r\n\r\n',
      );
      const badUpgrade = await exchangeRaw(
        balancer.port,
        'POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      );
      const otherProtocol = await exchangeRaw(
        balancer.port,
        'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n',
      );

      expect(garbage).toMatch(/^HTTP\/1\.1 400/);
      expect(badUpgrade).toMatch(/^HTTP\/1\.1 400/);
      expect(otherProtocol).toMatch(/^HTTP\/1\.1 400/);
      await expectAlive(balancer);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'closes the socket of an upgrade on an unknown path',
    async () => {
      const answer = await exchangeRaw(
        balancer.port,
        UPGRADE_REQUEST.replace('GET /ws ', 'GET /other?x=1 '),
      );

      expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'survives clients that reset before and after the upgrade',
    async () => {
      const early = await openRaw(balancer.port, UPGRADE_REQUEST);
      early.resetAndDestroy();

      const late = await openRaw(balancer.port, UPGRADE_REQUEST);
      await new Promise((resolve) => late.once('data', resolve));
      late.resetAndDestroy();

      const counts = () => balancer.upstreams().map((u) => u.openConnections);
      await waitFor(() => counts().every((n) => n === 0), 'counts 0');
      await waitFor(
        () => gatewayA.clientCount + gatewayB.clientCount === 0,
        'gateways to see the clients go',
      );
      await expectAlive(balancer);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'passes on bytes a client sends before the 101 has arrived',
    async () => {
      const together = await openRaw(
        balancer.port,
        Buffer.concat([
          Buffer.from(UPGRADE_REQUEST),
          maskedTextFrame('early-together'),
        ]),
      );
      const apart = await openRaw(balancer.port, UPGRADE_REQUEST);
      apart.write(maskedTextFrame('early-apart'));

      const [first, second] = await Promise.all([
        waitForText(together, 'early-together'),
        waitForText(apart, 'early-apart'),
      ]);

      expect(first).toMatch(/^HTTP\/1\.1 101 /);
      expect(second).toMatch(/^HTTP\/1\.1 101 /);
      together.destroy();
      apart.destroy();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 502 when the gateway hangs up during the handshake',
    async () => {
      const refused = await expectRefusedUpgrade(wsUrl(balancer, '/ws?hangup'));

      expect(refused.status).toBe(502);
      expect(balancer.upstreams().map((u) => u.state)).toEqual(['up', 'up']);
      await expectAlive(balancer);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'retries on another upstream when the picked one refuses',
    async () => {
      await gatewayA.close();

      // Whichever the pool picks first, both clients end on b: a refusal
      // is retried there and marks a down for the next pick.
      const first = await connectClient(wsUrl(balancer));
      const second = await connectClient(wsUrl(balancer));

      expect([first.gateway, second.gateway]).toEqual(['b', 'b']);
      expect(balancer.upstreams().map((u) => u.state)).toEqual(['down', 'up']);
      await closeClient(first.ws);
      await closeClient(second.ws);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 502 when the only upstream left refuses too',
    async () => {
      await gatewayB.close();

      const refused = await expectRefusedUpgrade(wsUrl(balancer));

      expect(refused.status).toBe(502);
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'bad_gateway' });
      expect(balancer.upstreams().map((u) => u.state)).toEqual([
        'down',
        'down',
      ]);

      const none = await expectRefusedUpgrade(wsUrl(balancer));
      expect(none.status).toBe(503);
      await expectAlive(balancer);
    },
    TEST_TIMEOUT_MS,
  );
});
