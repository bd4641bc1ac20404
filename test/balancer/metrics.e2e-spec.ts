import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { RunningBalancer } from '../../balancer/src/balancer.js';
import { FakeGateway } from './support/fake-gateway.js';
import { httpUrl, startTestBalancer, wsUrl } from './support/test-balancer.js';
import { closeClient, connectClient } from './support/ws-client.js';

describe('GET /metrics on the balancer', () => {
  let alpha: FakeGateway;
  let balancer: RunningBalancer;

  beforeAll(async () => {
    alpha = await FakeGateway.start('gateway-alpha');
    balancer = await startTestBalancer([alpha]);
  });

  afterAll(async () => {
    await balancer?.close();
    await alpha?.close();
  });

  it('counts upgrades and open connections, and reports upstream health', async () => {
    const { ws: client } = await connectClient(wsUrl(balancer));

    const res = await fetch(httpUrl(balancer, '/metrics'));
    const text = await res.text();
    await closeClient(client);

    const upstream = `127.0.0.1:${alpha.port}`;
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toContain('balancer_upgrades_total{instance="balancer"} 1');
    expect(text).toContain('balancer_connections{instance="balancer"} 1');
    expect(text).toContain(
      `balancer_upstream_up{upstream="${upstream}",instance="balancer"} 1`,
    );
    expect(text).toMatch(/^process_cpu_seconds_total/m);
  }, 10_000);
});
