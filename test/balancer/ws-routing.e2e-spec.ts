import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { RunningBalancer } from '../../balancer/src/balancer.js';
import { FakeGateway } from './support/fake-gateway.js';
import { startTestBalancer, wsUrl } from './support/test-balancer.js';
import { waitFor } from './support/wait-for.js';
import {
  closeClient,
  connectClient,
  expectRefusedUpgrade,
  type GreetedClient,
} from './support/ws-client.js';

const TEST_TIMEOUT_MS = 10_000;

describe('WsRouter', () => {
  let gatewayA: FakeGateway;
  let gatewayB: FakeGateway;
  let balancer: RunningBalancer;

  const openCounts = () =>
    balancer.upstreams().map((upstream) => upstream.openConnections);
  const stateOf = (gateway: FakeGateway) =>
    balancer.upstreams().find(({ id }) => id.endsWith(`:${gateway.port}`))
      ?.state;

  beforeAll(async () => {
    gatewayA = await FakeGateway.start('a');
    gatewayB = await FakeGateway.start('b');
    balancer = await startTestBalancer([gatewayA, gatewayB]);
  });

  afterAll(async () => {
    await balancer?.close();
    await gatewayA?.close();
    await gatewayB?.close();
  });

  it(
    'spreads connections evenly across healthy upstreams',
    async () => {
      const clients: GreetedClient[] = [];
      for (let i = 0; i < 4; i += 1) {
        clients.push(await connectClient(wsUrl(balancer)));
      }

      const names = clients.map((client) => client.gateway).sort();
      expect(names).toEqual(['a', 'a', 'b', 'b']);
      expect(openCounts()).toEqual([2, 2]);

      await Promise.all(clients.map((client) => closeClient(client.ws)));
      await waitFor(() => openCounts().every((n) => n === 0), 'counts 0');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'takes turns between upstreams that tie',
    async () => {
      const seen: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        const client = await connectClient(wsUrl(balancer));
        seen.push(client.gateway);
        await closeClient(client.ws);
        await waitFor(() => openCounts().every((n) => n === 0), 'counts 0');
      }

      expect(seen[0]).not.toBe(seen[1]);
      expect(seen[1]).not.toBe(seen[2]);
      expect(seen[2]).not.toBe(seen[3]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'passes bytes both ways unchanged',
    async () => {
      const { ws } = await connectClient(wsUrl(balancer));

      const echoed = new Promise<Buffer>((resolve) => {
        ws.once('message', (data: Buffer) => resolve(data));
      });
      const payload = Buffer.from([0, 1, 2, 250, 251, 252]);
      ws.send(payload);

      expect(Buffer.compare(await echoed, payload)).toBe(0);
      await closeClient(ws);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'adds X-Forwarded-For to the upgrade request',
    async () => {
      const before = gatewayA.upgradeHeaders.length;
      const beforeB = gatewayB.upgradeHeaders.length;

      const { ws } = await connectClient(wsUrl(balancer, '/ws?token=x'));

      const headers = [
        ...gatewayA.upgradeHeaders.slice(before),
        ...gatewayB.upgradeHeaders.slice(beforeB),
      ];
      expect(headers).toHaveLength(1);
      expect(headers[0]?.['x-forwarded-for']).toBe('127.0.0.1');
      expect(headers[0]?.['x-forwarded-proto']).toBe('ws');
      await closeClient(ws);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'never picks an upstream whose readyz fails, and uses it again once ready',
    async () => {
      gatewayA.readyStatus = 503;
      await waitFor(() => stateOf(gatewayA) === 'down', 'a down');

      const clients: GreetedClient[] = [];
      for (let i = 0; i < 3; i += 1) {
        clients.push(await connectClient(wsUrl(balancer)));
      }
      expect(clients.map((client) => client.gateway)).toEqual(['b', 'b', 'b']);

      gatewayA.readyStatus = 200;
      await waitFor(() => stateOf(gatewayA) === 'up', 'a up');
      const back = await connectClient(wsUrl(balancer));
      expect(back.gateway).toBe('a');

      clients.push(back);
      await Promise.all(clients.map((client) => closeClient(client.ws)));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'counts a connection until the gateway drops it',
    async () => {
      const { ws } = await connectClient(wsUrl(balancer));
      const closed = new Promise<number>((resolve) => {
        ws.once('close', (code) => resolve(code));
      });

      const total = () => openCounts().reduce((sum, n) => sum + n, 0);
      expect(total()).toBe(1);

      gatewayA.dropClients();
      gatewayB.dropClients();

      expect(await closed).toBe(1006);
      await waitFor(() => openCounts().every((n) => n === 0), 'counts 0');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers an upgrade on another path with 404 within a second',
    async () => {
      const started = Date.now();

      const refused = await expectRefusedUpgrade(wsUrl(balancer, '/other'));

      expect(refused.status).toBe(404);
      expect(Date.now() - started).toBeLessThan(1000);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('WsRouter with no healthy upstream', () => {
  let gateway: FakeGateway;
  let balancer: RunningBalancer;

  beforeAll(async () => {
    gateway = await FakeGateway.start('unready');
    gateway.readyStatus = 503;
    balancer = await startTestBalancer([gateway]);
  });

  afterAll(async () => {
    await balancer?.close();
    await gateway?.close();
  });

  it(
    'answers 503 with a JSON error',
    async () => {
      const refused = await expectRefusedUpgrade(wsUrl(balancer));

      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toEqual({
        error: 'no_upstream',
        message: 'no server available',
      });
      expect(gateway.upgradeHeaders).toHaveLength(0);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('WsRouter when a gateway process stops', () => {
  let stopping: FakeGateway;
  let steady: FakeGateway;
  let balancer: RunningBalancer;

  const stateOf = (port: number) =>
    balancer.upstreams().find(({ id }) => id.endsWith(`:${port}`))?.state;

  beforeAll(async () => {
    stopping = await FakeGateway.start('stopping');
    steady = await FakeGateway.start('steady');
    balancer = await startTestBalancer([stopping, steady]);
  });

  afterAll(async () => {
    await balancer?.close();
    await stopping?.close();
    await steady?.close();
  });

  it(
    'marks it down from refused probes and picks it again once back',
    async () => {
      const port = stopping.port;
      await stopping.close();
      await waitFor(() => stateOf(port) === 'down', 'probe to see it gone');

      const clients: GreetedClient[] = [];
      for (let i = 0; i < 2; i += 1) {
        clients.push(await connectClient(wsUrl(balancer)));
      }
      expect(clients.map((c) => c.gateway)).toEqual(['steady', 'steady']);

      stopping = await FakeGateway.start('restarted', port);
      await waitFor(() => stateOf(port) === 'up', 'probe to see it back');
      const back = await connectClient(wsUrl(balancer));
      expect(back.gateway).toBe('restarted');

      clients.push(back);
      await Promise.all(clients.map((client) => closeClient(client.ws)));
    },
    TEST_TIMEOUT_MS,
  );
});
