import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
} from '@jest/globals';
import { WebSocket } from 'ws';

import { AddressQuota } from '../../balancer/src/address-quota.js';
import type { RunningBalancer } from '../../balancer/src/balancer.js';
import { clientAddressOf } from '../../balancer/src/client-address.js';
import { FakeGateway } from './support/fake-gateway.js';
import { startTestBalancer, wsUrl } from './support/test-balancer.js';
import { waitFor } from './support/wait-for.js';
import {
  closeClient,
  connectClient,
  expectRefusedUpgrade,
} from './support/ws-client.js';

const TEST_TIMEOUT_MS = 10_000;

/**
 * Starts an upgrade the fake gateway will hold unanswered. Its error is
 * expected (it is terminated before it opens) and swallowed.
 */
function openStalled(balancer: RunningBalancer): WebSocket {
  const ws = new WebSocket(wsUrl(balancer, '/ws?stall'), {
    handshakeTimeout: TEST_TIMEOUT_MS,
  });
  ws.on('error', () => undefined);
  return ws;
}

describe('AddressQuota', () => {
  it('caps each address on its own', () => {
    const quota = new AddressQuota(2);

    const first = quota.claim('10.0.0.1');
    const second = quota.claim('10.0.0.1');
    const third = quota.claim('10.0.0.1');
    const other = quota.claim('10.0.0.2');

    expect([first, second, third, other].map(Boolean)).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  it('gives a place back exactly once however often it is released', () => {
    const quota = new AddressQuota(2);
    const first = quota.claim('10.0.0.1');
    quota.claim('10.0.0.1');

    first?.release();
    first?.release();

    expect(quota.countOf('10.0.0.1')).toBe(1);
  });

  it('forgets an address once it holds nothing', () => {
    const quota = new AddressQuota(1);

    quota.claim('10.0.0.1')?.release();

    expect(quota.addressCount).toBe(0);
  });
});

describe('clientAddressOf', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    ['10.1.2.3', '10.1.2.3'],
    ['2001:DB8::1', '2001:db8::1'],
    ['::1', '::1'],
    [undefined, undefined],
  ])('reads %s as %s', (remote, expected) => {
    expect(clientAddressOf(remote)).toBe(expected);
  });
});

describe('connections per client address', () => {
  let gateway: FakeGateway;
  let balancer: RunningBalancer;
  const stalled: WebSocket[] = [];

  const openTotal = () =>
    balancer.upstreams().reduce((sum, u) => sum + u.openConnections, 0);

  beforeAll(async () => {
    gateway = await FakeGateway.start('a');
    balancer = await startTestBalancer([gateway], {
      maxConnectionsPerAddress: 2,
    });
  });

  afterEach(async () => {
    for (const ws of stalled.splice(0)) ws.terminate();
    await waitFor(() => gateway.stalledCount === 0, 'stalled upgrades gone');
  });

  afterAll(async () => {
    await balancer?.close();
    await gateway?.close();
  });

  it(
    'answers 429 with a JSON error past the limit, and admits again once one closes',
    async () => {
      const first = await connectClient(wsUrl(balancer));
      const second = await connectClient(wsUrl(balancer));

      const refused = await expectRefusedUpgrade(wsUrl(balancer));

      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body)).toEqual({
        error: 'too_many_connections',
        message: 'too many open connections from this address',
      });
      expect(gateway.upgradeHeaders).toHaveLength(2);

      await closeClient(first.ws);
      await waitFor(() => openTotal() === 1, 'the close to reach the balancer');
      const third = await connectClient(wsUrl(balancer));
      await closeClient(second.ws);
      await closeClient(third.ws);
      await waitFor(() => openTotal() === 0, 'counts 0');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'counts an upgrade still under way',
    async () => {
      stalled.push(openStalled(balancer), openStalled(balancer));
      await waitFor(() => gateway.stalledCount === 2, 'two stalled upgrades');

      const refused = await expectRefusedUpgrade(wsUrl(balancer));

      expect(refused.status).toBe(429);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'gives the place back when an upgrade fails',
    async () => {
      for (let i = 0; i < 3; i += 1) {
        const failed = await expectRefusedUpgrade(
          wsUrl(balancer, '/ws?hangup'),
        );
        expect(failed.status).toBe(502);
      }

      const first = await connectClient(wsUrl(balancer));
      const second = await connectClient(wsUrl(balancer));

      await closeClient(first.ws);
      await closeClient(second.ws);
      await waitFor(() => openTotal() === 0, 'counts 0');
    },
    TEST_TIMEOUT_MS,
  );
});

describe('pending upgrades', () => {
  let gateway: FakeGateway;
  let balancer: RunningBalancer;
  const stalled: WebSocket[] = [];

  beforeAll(async () => {
    gateway = await FakeGateway.start('slow');
    balancer = await startTestBalancer([gateway], { maxPendingUpgrades: 2 });
  });

  afterAll(async () => {
    for (const ws of stalled.splice(0)) ws.terminate();
    await balancer?.close();
    await gateway?.close();
  });

  it(
    'answers 503 overloaded at once when too many are under way',
    async () => {
      stalled.push(openStalled(balancer), openStalled(balancer));
      await waitFor(() => gateway.stalledCount === 2, 'two stalled upgrades');
      const started = Date.now();

      const refused = await expectRefusedUpgrade(wsUrl(balancer));

      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'overloaded' });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(gateway.upgradeHeaders).toHaveLength(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'frees the places of clients that give up, and takes upgrades again',
    async () => {
      const pending = () => balancer.upstreams()[0]?.pendingConnections;
      expect(pending()).toBe(2);

      for (const ws of stalled.splice(0)) ws.terminate();

      // Well before the 10 s handshake timeout would free them.
      await waitFor(() => pending() === 0, 'pending upgrades freed', 1000);
      await waitFor(() => gateway.stalledCount === 0, 'stalled upgrades gone');

      const client = await connectClient(wsUrl(balancer));

      expect(client.gateway).toBe('slow');
      await closeClient(client.ws);
    },
    TEST_TIMEOUT_MS,
  );
});
