import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startTestCluster, type TestCluster } from '../support/test-cluster.js';
import { TestClient } from '../support/test-client.js';
import { testOutputDir } from '../support/test-output.js';

describe('The cluster', () => {
  let cluster: TestCluster;
  const clients: TestClient[] = [];

  const connect = async (url = cluster.wsUrl) => {
    const client = await TestClient.connect(url);
    clients.push(client);
    return client;
  };

  const join = async (client: TestClient, room: string, nick: string) => {
    client.send('join', { room, nick });
    return client.waitFor('joined', (j) => j.room === room);
  };

  beforeAll(async () => {
    cluster = await startTestCluster('cluster');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await cluster?.stop();
  }, 30_000);

  it('puts two clients of the balancer on different instances', async () => {
    const first = await connect();
    const second = await connect();

    expect(first.server).not.toBe(second.server);
    expect(cluster.gatewayUrls.has(first.server)).toBe(true);
    expect(cluster.gatewayUrls.has(second.server)).toBe(true);

    await Promise.all([first.close(), second.close()]);
  });

  it('carries a message across instances with its origin server, then serves it as history', async () => {
    const ann = await connect();
    const bob = await connect();
    expect(ann.server).not.toBe(bob.server);
    await join(ann, 'across', 'ann');
    await join(bob, 'across', 'bob');

    ann.send('send', { room: 'across', text: 'hello from ann', id: 'x-1' });
    const received = await bob.waitFor('message', (m) => m.id === 'x-1');
    const late = await connect();
    const joined = await join(late, 'across', 'late');

    expect(received).toMatchObject({
      seq: 1,
      nick: 'ann',
      text: 'hello from ann',
      server: ann.server,
    });
    expect(joined.history).toEqual([{ ...received, trace: undefined }]);
  });

  it('numbers 200 concurrent sends from both instances 1..200 and delivers each once to everyone', async () => {
    const room = 'storm';
    const [east, west] = [...cluster.gatewayUrls.values()];
    const senders = await Promise.all(
      [east, east, east, east, west, west, west, west].map((url) =>
        connect(url),
      ),
    );
    const watchers = await Promise.all([connect(east), connect(west)]);
    const everyone = [...senders, ...watchers];
    await Promise.all(everyone.map((c, i) => join(c, room, `user${i}`)));

    senders.forEach((client, s) => {
      for (let i = 0; i < 25; i++) {
        client.send('send', { room, text: `${s}:${i}`, id: `s${s}-${i}` });
      }
    });
    await Promise.all(
      everyone.map((client) => client.waitForMessages(room, 200)),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    const acked = senders.flatMap((c) => c.all('ack').map((a) => a.seq));
    const expected = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(acked.sort((a, b) => a - b)).toEqual(expected);
    for (const client of everyone) {
      expect(client.messages(room).map((m) => m.seq)).toEqual(expected);
    }
    expect(new Set(watchers.map((w) => w.server)).size).toBe(2);
  });

  it('logs JSON lines with the instance name, and no info line per message', async () => {
    const [east, west] = [...cluster.gatewayUrls.values()];
    const urls = Array.from({ length: 26 }, (_, i) => (i % 2 ? east : west));
    const senders = await Promise.all(urls.map((url) => connect(url)));
    await Promise.all(senders.map((c, i) => join(c, 'burst', `b${i}`)));
    const infoLines = () =>
      cluster.gateways.flatMap((g) =>
        readFileSync(
          joinPath(testOutputDir('cluster'), `${g.name}.log`),
          'utf8',
        )
          .split('\n')
          .filter(Boolean)
          .map(
            (line) => JSON.parse(line) as { level: number; instance: string },
          )
          .map((entry) => ({ ...entry, gateway: g.name })),
      );
    const before = infoLines().filter((l) => l.level === 30).length;

    senders.forEach((client, s) => {
      for (let i = 0; i < 39; i++) {
        client.send('send', {
          room: 'burst',
          text: `${s}:${i}`,
          id: `${s}-${i}`,
        });
      }
    });
    await senders[0].waitForMessages('burst', 1000, 20_000);
    const lines = infoLines();

    expect(lines.every((l) => l.instance === l.gateway)).toBe(true);
    expect(lines.filter((l) => l.level === 30).length - before).toBeLessThan(
      10,
    );
  }, 30_000);
});
