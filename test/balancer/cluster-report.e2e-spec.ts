import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { RunningBalancer } from '../../balancer/src/balancer.js';
import {
  buildClusterReport,
  type ClusterReport,
} from '../../balancer/src/cluster-report.js';
import { TrafficMeter } from '../../balancer/src/traffic-meter.js';
import { FakeGateway } from './support/fake-gateway.js';
import { httpUrl, startTestBalancer, wsUrl } from './support/test-balancer.js';
import { waitFor } from './support/wait-for.js';
import { closeClient, connectClient } from './support/ws-client.js';

const TEST_TIMEOUT_MS = 10_000;

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('GET /api/cluster', () => {
  let alpha: FakeGateway;
  let beta: FakeGateway;
  let unnamed: FakeGateway;
  let balancer: RunningBalancer;

  const report = async () => {
    const res = await fetch(httpUrl(balancer, '/api/cluster'), {
      signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return (await res.json()) as ClusterReport;
  };
  const instanceOf = (body: ClusterReport, gateway: FakeGateway) =>
    body.instances.find(({ id }) => id === `127.0.0.1:${gateway.port}`);

  beforeAll(async () => {
    alpha = await FakeGateway.start('gateway-alpha');
    beta = await FakeGateway.start('gateway-beta');
    unnamed = await FakeGateway.start('unnamed');
    unnamed.serverName = undefined;
    balancer = await startTestBalancer([alpha, beta, unnamed]);
  });

  afterAll(async () => {
    await balancer?.close();
    await alpha?.close();
    await beta?.close();
    await unnamed?.close();
  });

  it(
    'lists every instance with its name from readyz, in config order',
    async () => {
      const body = await report();

      expect(body.instances.map(({ id }) => id)).toEqual(
        [alpha, beta, unnamed].map(({ port }) => `127.0.0.1:${port}`),
      );
      expect(body.instances.map(({ server }) => server)).toEqual([
        'gateway-alpha',
        'gateway-beta',
        null,
      ]);
      for (const instance of body.instances) {
        expect(instance.state).toBe('up');
        expect(instance.lastCheckAt).toMatch(ISO_TIME);
        expect(instance.upSince).toMatch(ISO_TIME);
        expect(Date.parse(instance.lastCheckAt ?? '')).toBeGreaterThanOrEqual(
          Date.parse(instance.upSince ?? ''),
        );
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'counts open connections and completed upgrades',
    async () => {
      const before = await report();
      const clients = [
        await connectClient(wsUrl(balancer)),
        await connectClient(wsUrl(balancer)),
      ];

      const during = await report();

      expect(during.balancer.connections).toBe(2);
      expect(during.balancer.upgradesTotal).toBe(
        before.balancer.upgradesTotal + 2,
      );
      const perInstance = during.instances.map((i) => i.connections);
      expect(perInstance.reduce((sum, n) => sum + n, 0)).toBe(2);
      expect(during.balancer.uptimeSeconds).toBeGreaterThanOrEqual(0);

      await Promise.all(clients.map((client) => closeClient(client.ws)));
      await waitFor(
        () => balancer.upstreams().every((u) => u.openConnections === 0),
        'counts 0',
      );
      const after = await report();
      expect(after.balancer.connections).toBe(0);
      expect(after.balancer.upgradesTotal).toBe(during.balancer.upgradesTotal);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'shows a gateway that is not ready as down, still under its name',
    async () => {
      beta.readyStatus = 503;
      beta.serverName = 'gateway-beta-draining';
      await waitFor(
        () => balancer.upstreams()[1]?.state === 'down',
        'beta to be down',
      );

      const body = await report();

      expect(instanceOf(body, beta)).toMatchObject({
        state: 'down',
        upSince: null,
        server: 'gateway-beta-draining',
      });
      expect(instanceOf(body, alpha)?.state).toBe('up');

      beta.readyStatus = 200;
      await waitFor(
        () => balancer.upstreams()[1]?.state === 'up',
        'beta to be up',
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'computes per-second rates from the running totals of successive probes',
    async () => {
      alpha.uptimeSeconds = 42;
      await waitFor(
        () => balancer.upstreams()[0]?.rates !== null,
        'a first rate',
      );

      // 20 messages and 40 deliveries every 50 ms probe interval.
      const ticker = setInterval(() => {
        alpha.messagesAccepted += 1;
        alpha.deliveries += 2;
      }, 2.5);
      try {
        await waitFor(
          () => (balancer.upstreams()[0]?.rates?.messagesPerSecond ?? 0) > 0,
          'a rate above zero',
        );
        const body = await report();
        const shown = instanceOf(body, alpha);

        expect(shown?.messagesPerSecond).toBeGreaterThan(0);
        expect(shown?.deliveriesPerSecond).toBeGreaterThan(
          shown?.messagesPerSecond ?? 0,
        );
        expect(shown?.uptimeSeconds).toBe(42);
      } finally {
        clearInterval(ticker);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'shows a gateway that answers 503 with draining as draining, not down',
    async () => {
      beta.readyStatus = 503;
      beta.draining = true;
      await waitFor(
        () => balancer.upstreams()[1]?.state === 'draining',
        'beta to be draining',
      );

      const body = await report();
      const client = await connectClient(wsUrl(balancer));

      expect(instanceOf(body, beta)).toMatchObject({
        state: 'draining',
        upSince: null,
      });
      expect(client.gateway).not.toBe(beta.name);
      await closeClient(client.ws);
      beta.readyStatus = 200;
      beta.draining = false;
      await waitFor(
        () => balancer.upstreams()[1]?.state === 'up',
        'beta to be up',
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'shows a gateway that went away as down with no load figures',
    async () => {
      const port = unnamed.port;
      await unnamed.close();
      await waitFor(
        () => balancer.upstreams()[2]?.state === 'down',
        'the third to be down',
      );

      const shown = (await report()).instances[2];

      expect(shown).toMatchObject({
        state: 'down',
        messagesPerSecond: null,
        deliveriesPerSecond: null,
        uptimeSeconds: null,
      });
      unnamed = await FakeGateway.start('unnamed', port);
      unnamed.serverName = undefined;
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says whether the demo switch is on',
    async () => {
      expect((await report()).demo).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('buildClusterReport', () => {
  it('reports whole seconds and ISO times, and nulls for the unknown', () => {
    const report = buildClusterReport({
      startedAt: 1_000,
      now: 62_999,
      upgradesTotal: 7,
      upstreams: [
        {
          id: '10.0.0.1:8001',
          state: 'up',
          openConnections: 3,
          pendingConnections: 1,
          server: 'gateway-8001',
          lastCheckAt: Date.UTC(2026, 0, 2, 3, 4, 5),
          upSince: Date.UTC(2026, 0, 2, 3, 0, 0),
          rates: { messagesPerSecond: 2.5, deliveriesPerSecond: 5 },
          uptimeSeconds: 240,
        },
        {
          id: '10.0.0.1:8002',
          state: 'unknown',
          openConnections: 0,
          pendingConnections: 0,
          server: null,
          lastCheckAt: null,
          upSince: null,
          rates: null,
          uptimeSeconds: null,
        },
      ],
    });

    expect(report).toEqual({
      balancer: { uptimeSeconds: 61, connections: 3, upgradesTotal: 7 },
      demo: false,
      instances: [
        {
          id: '10.0.0.1:8001',
          state: 'up',
          connections: 3,
          server: 'gateway-8001',
          lastCheckAt: '2026-01-02T03:04:05.000Z',
          upSince: '2026-01-02T03:00:00.000Z',
          messagesPerSecond: 2.5,
          deliveriesPerSecond: 5,
          uptimeSeconds: 240,
        },
        {
          id: '10.0.0.1:8002',
          state: 'unknown',
          connections: 0,
          server: null,
          lastCheckAt: null,
          upSince: null,
          messagesPerSecond: null,
          deliveriesPerSecond: null,
          uptimeSeconds: null,
        },
      ],
    });
  });
});

describe('TrafficMeter', () => {
  const totals = (messagesAccepted: number, deliveries = messagesAccepted) => ({
    messagesAccepted,
    deliveries,
  });

  it('knows no rate from a single answer', () => {
    const meter = new TrafficMeter();

    meter.record(totals(5), 1000);

    expect(meter.rates).toBeNull();
  });

  it('averages over the last three seconds of answers', () => {
    const meter = new TrafficMeter();

    for (let second = 0; second <= 10; second++) {
      meter.record(totals(second < 8 ? 0 : (second - 7) * 6, 0), second * 1000);
    }

    // At 10 s the window starts at 7 s: 18 messages in 3 s.
    expect(meter.rates).toEqual({
      messagesPerSecond: 6,
      deliveriesPerSecond: 0,
    });
  });

  it('starts again when the totals go down, as after a restart', () => {
    const meter = new TrafficMeter();
    meter.record(totals(1000), 1000);
    meter.record(totals(1010), 2000);

    meter.record(totals(2), 3000);
    const afterRestart = meter.rates;
    meter.record(totals(4), 4000);

    expect(afterRestart).toBeNull();
    expect(meter.rates?.messagesPerSecond).toBe(2);
  });

  it('forgets everything when cleared', () => {
    const meter = new TrafficMeter();
    meter.record(totals(1), 1000);
    meter.record(totals(2), 2000);

    meter.clear();

    expect(meter.rates).toBeNull();
  });
});
