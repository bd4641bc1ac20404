import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { RunningBalancer } from '../../balancer/src/balancer.js';
import { FakeGateway } from './support/fake-gateway.js';
import { httpUrl, startTestBalancer } from './support/test-balancer.js';
import { waitFor } from './support/wait-for.js';

const TEST_TIMEOUT_MS = 5000;

describe('plain HTTP on the WebSocket path', () => {
  let gateway: FakeGateway;
  let balancer: RunningBalancer;

  const request = (method = 'GET') =>
    fetch(httpUrl(balancer, '/ws'), {
      method,
      signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
    });
  const state = () => balancer.upstreams()[0]?.state;

  beforeAll(async () => {
    gateway = await FakeGateway.start('a');
    balancer = await startTestBalancer([gateway]);
  });

  afterAll(async () => {
    await balancer?.close();
    await gateway?.close();
  });

  it(
    'answers 426 with a JSON error while a gateway is up',
    async () => {
      const res = await request();

      expect(res.status).toBe(426);
      expect(res.headers.get('upgrade')).toBe('websocket');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({
        error: 'upgrade_required',
        message: 'this path only accepts WebSocket upgrades',
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 426 to other methods too',
    async () => {
      const res = await request('POST');
      await res.body?.cancel();

      expect(res.status).toBe(426);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 503 no_upstream while no gateway is up, 426 once one is back',
    async () => {
      gateway.readyStatus = 503;
      await waitFor(() => state() === 'down', 'the gateway to be down');

      const res = await request();

      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        error: 'no_upstream',
        message: 'no server available',
      });

      gateway.readyStatus = 200;
      await waitFor(() => state() === 'up', 'the gateway to be up');
      const back = await request();
      await back.body?.cancel();
      expect(back.status).toBe(426);
    },
    TEST_TIMEOUT_MS,
  );
});
