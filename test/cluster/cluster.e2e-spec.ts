import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { describeClusterBehaviour } from '../support/cluster-behaviour.js';
import { startTestCluster, type TestCluster } from '../support/test-cluster.js';
import { TestClient } from '../support/test-client.js';
import { testOutputDir } from '../support/test-output.js';

describeClusterBehaviour('The cluster', () => startTestCluster('cluster'));

describe('The cluster logs', () => {
  let cluster: TestCluster;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster('cluster-logs');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await cluster?.stop();
  }, 30_000);

  const logLines = () =>
    cluster.gateways.flatMap((g) =>
      readFileSync(join(testOutputDir('cluster-logs'), `${g.name}.log`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: number; instance: string })
        .map((entry) => ({ ...entry, gateway: g.name })),
    );

  it('writes JSON lines with the instance name, and no info line per message', async () => {
    const [east, west] = [...cluster.gatewayUrls.values()];
    const senders = await Promise.all(
      Array.from({ length: 26 }, (_, i) =>
        TestClient.connect(i % 2 ? east : west),
      ),
    );
    clients.push(...senders);
    for (const [i, client] of senders.entries()) {
      client.send('join', { room: 'burst', nick: `b${i}` });
      await client.waitFor('joined');
    }
    const before = logLines().filter((l) => l.level === 30).length;

    // 26 × 39 = 1,014 messages, each sender inside its burst.
    senders.forEach((client, s) => {
      for (let i = 0; i < 39; i++) {
        client.send('send', {
          room: 'burst',
          text: `${s}:${i}`,
          id: `${s}-${i}`,
        });
      }
    });
    await senders[0].waitForMessages('burst', 26 * 39, 20_000);
    const lines = logLines();

    expect(lines.every((l) => l.instance === l.gateway)).toBe(true);
    expect(lines.filter((l) => l.level === 30).length - before).toBeLessThan(
      10,
    );
  }, 30_000);
});
