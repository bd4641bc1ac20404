import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { probeReadiness } from '../../balancer/src/readiness-probe.js';

const TEST_TIMEOUT_MS = 5000;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('probeReadiness', () => {
  let server: Server;
  let handler: Handler = (_req, res) => res.end();
  const never = new AbortController().signal;

  const probe = (timeoutMs = 500, signal = never) => {
    const { port } = server.address() as AddressInfo;
    return probeReadiness({ host: '127.0.0.1', port }, timeoutMs, signal);
  };
  const answer = (status: number, body: string): Handler => {
    return (_req, res) => res.writeHead(status).end(body);
  };

  beforeAll(async () => {
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it(
    "reads a ready gateway's name from its body",
    async () => {
      handler = answer(200, '{"ready":true,"server":"gateway-8001"}');

      expect(await probe()).toEqual({ ready: true, server: 'gateway-8001' });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'names a gateway that answers 503 too',
    async () => {
      handler = answer(503, '{"ready":false,"server":"gateway-8002"}');

      expect(await probe()).toEqual({
        ready: false,
        reason: 'readyz answered 503',
        server: 'gateway-8002',
      });
    },
    TEST_TIMEOUT_MS,
  );

  it.each([
    ['a plain body', 'ready'],
    ['a server that is not a string', '{"server":8001}'],
    ['a blank server', '{"server":"  "}'],
    ['an oversized body', `{"server":"big","pad":"${'x'.repeat(10_000)}"}`],
  ])(
    'goes by the status alone for %s',
    async (_what, body) => {
      handler = answer(200, body);

      expect(await probe()).toEqual({ ready: true });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'gives up on a gateway that trickles its answer, at the deadline',
    async () => {
      handler = (_req, res) => {
        res.writeHead(200);
        const drip = setInterval(() => res.write(' '), 50);
        res.once('close', () => clearInterval(drip));
      };
      const started = Date.now();

      const result = await probe(300);

      expect(result).toEqual({
        ready: false,
        reason: 'readyz gave no answer in 300 ms',
      });
      expect(Date.now() - started).toBeLessThan(1000);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'gives up on a gateway that never answers',
    async () => {
      handler = () => undefined;

      const result = await probe(200);

      expect(result.ready).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'resolves at once when aborted',
    async () => {
      handler = () => undefined;
      const aborter = new AbortController();

      const pending = probe(3000, aborter.signal);
      aborter.abort();

      expect((await pending).ready).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});
