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

/** The defaults: a probe a second, 800 ms to answer. */
const DEFAULT_TIMING = { healthIntervalMs: 1000, healthTimeoutMs: 800 };

/** Room for timers and the event loop on a busy machine. */
const SLACK_MS = 400;

describe('health checks at the default timing', () => {
  let hanging: FakeGateway;
  let steady: FakeGateway;
  let balancer: RunningBalancer;

  const statusOf = (gateway: FakeGateway) =>
    balancer.upstreams().find(({ id }) => id.endsWith(`:${gateway.port}`));

  beforeAll(async () => {
    hanging = await FakeGateway.start('hanging');
    steady = await FakeGateway.start('steady');
    balancer = await startTestBalancer([hanging, steady], DEFAULT_TIMING);
  });

  afterAll(async () => {
    await balancer?.close();
    await hanging?.close();
    await steady?.close();
  });

  it(
    'marks a gateway that stops answering down within interval + timeout',
    async () => {
      expect(statusOf(hanging)?.state).toBe('up');
      hanging.answersProbes = false;
      const started = Date.now();

      await waitFor(() => statusOf(hanging)?.state === 'down', 'down', 3000);

      const { healthIntervalMs, healthTimeoutMs } = DEFAULT_TIMING;
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(
        healthIntervalMs + healthTimeoutMs + SLACK_MS,
      );
      // Its hanging probes did not hold up the other gateway's.
      const steadyCheck = statusOf(steady)?.lastCheckAt ?? 0;
      expect(Date.now() - steadyCheck).toBeLessThan(
        healthIntervalMs + SLACK_MS,
      );
      expect(statusOf(steady)?.state).toBe('up');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'routes around it while down and admits it again once it answers',
    async () => {
      const meanwhile = await connectClient(wsUrl(balancer));
      expect(meanwhile.gateway).toBe('steady');

      hanging.answersProbes = true;
      const { healthIntervalMs, healthTimeoutMs } = DEFAULT_TIMING;
      await waitFor(
        () => statusOf(hanging)?.state === 'up',
        'up again',
        healthIntervalMs + healthTimeoutMs + SLACK_MS,
      );

      // steady holds one connection: the least loaded is the one back.
      const back = await connectClient(wsUrl(balancer));
      expect(back.gateway).toBe('hanging');
      await closeClient(meanwhile.ws);
      await closeClient(back.ws);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('with every gateway down', () => {
  let gatewayA: FakeGateway;
  let gatewayB: FakeGateway;
  let balancer: RunningBalancer;

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
    'answers upgrades and HTTP on /ws with 503 no_upstream at once, and stays up',
    async () => {
      gatewayA.readyStatus = 503;
      gatewayB.answersProbes = false;
      await waitFor(
        () => balancer.upstreams().every(({ state }) => state === 'down'),
        'both down',
      );
      const started = Date.now();

      const upgrade = await expectRefusedUpgrade(wsUrl(balancer));
      const plain = await fetch(httpUrl(balancer, '/ws'), {
        signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
      });

      expect(upgrade.status).toBe(503);
      expect(JSON.parse(upgrade.body)).toMatchObject({ error: 'no_upstream' });
      expect(plain.status).toBe(503);
      expect(await plain.json()).toMatchObject({ error: 'no_upstream' });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(gatewayA.upgradeHeaders).toHaveLength(0);
      expect(gatewayB.upgradeHeaders).toHaveLength(0);

      const health = await fetch(httpUrl(balancer, '/healthz'));
      expect(await health.json()).toMatchObject({
        upstreams: { up: 0, total: 2 },
      });
    },
    TEST_TIMEOUT_MS,
  );
});
