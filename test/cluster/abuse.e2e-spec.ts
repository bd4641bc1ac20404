import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';

import { FuzzFrames } from '../support/fuzz-frames.js';
import { residentBytes } from '../support/process-memory.js';
import { startTestCluster, type TestCluster } from '../support/test-cluster.js';
import { TestClient } from '../support/test-client.js';
import { waitUntil } from '../support/wait-until.js';

/** Status of a refused upgrade, or 101 if it was accepted. */
function upgradeStatus(
  url: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      resolve(101);
      socket.terminate();
    });
    socket.once('error', () => resolve(0));
  });
}

describe('The cluster under abuse', () => {
  let cluster: TestCluster;

  const pids = () => cluster.gateways.map((g) => g.pid);

  beforeAll(async () => {
    cluster = await startTestCluster('abuse', {
      env: {
        MAX_BUFFERED_BYTES: '65536',
        RATE_LIMIT_PER_SECOND: '2000',
        RATE_LIMIT_BURST: '2000',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  it('refuses a foreign origin and a wrong path at the balancer', async () => {
    const foreign = await upgradeStatus(cluster.wsUrl, {
      Origin: 'https://evil.example',
    });
    const started = Date.now();
    const other = await upgradeStatus(
      cluster.wsUrl.replace('/ws', '/other'),
      {},
    );
    const refusedWithin = Date.now() - started;

    expect(foreign).toBe(403);
    expect(other).toBe(404);
    expect(refusedWithin).toBeLessThan(1000);
  });

  it('closes an oversized frame before buffering it', async () => {
    const gateway = cluster.gateways[0];
    const url = cluster.gatewayUrls.get(gateway.name)!;
    const before = residentBytes(gateway.pid!);
    const client = await TestClient.connect(url);

    client.sendRaw('x'.repeat(32 * 1024 * 1024));
    const { code } = await client.closed;
    const after = residentBytes(gateway.pid!);

    expect(code).toBe(1009);
    expect(after - before).toBeLessThan(16 * 1024 * 1024);
  }, 30_000);

  it('drops a client that stops reading, and nobody else notices', async () => {
    const gateway = cluster.gateways[0];
    const url = cluster.gatewayUrls.get(gateway.name)!;
    const stalled = await TestClient.connect(url);
    const reader = await TestClient.connect(url);
    const writer = await TestClient.connect(
      cluster.gatewayUrls.get(cluster.gateways[1].name)!,
    );
    for (const [client, nick] of [
      [stalled, 'stalled'],
      [reader, 'reader'],
      [writer, 'writer'],
    ] as const) {
      client.send('join', { room: 'slow', nick });
      await client.waitFor('joined');
    }

    stalled.socket.pause();
    const text = 'y'.repeat(4000);
    for (let i = 0; i < 1500; i++) {
      writer.send('send', { room: 'slow', text, id: `s${i}` });
    }
    await reader.waitForMessages('slow', 1500, 30_000);
    stalled.socket.resume();
    const { code } = await stalled.closed;

    expect([1013, 1006]).toContain(code);
    expect(reader.messages('slow').map((m) => m.seq)).toEqual(
      Array.from({ length: 1500 }, (_, i) => i + 1),
    );
    await Promise.all([reader.close(), writer.close()]);
  }, 60_000);

  it('drops a client that floods without reading, before its answers pile up', async () => {
    const gateway = cluster.gateways[1];
    const url = cluster.gatewayUrls.get(gateway.name)!;
    const before = residentBytes(gateway.pid!);
    const flood = await TestClient.connect(url);

    flood.socket.pause();
    for (
      let i = 0;
      i < 200_000 && flood.socket.readyState === WebSocket.OPEN;
      i++
    ) {
      flood.socket.send('x');
      if (i % 5000 === 0) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    flood.socket.resume();
    const { code } = await flood.closed;
    const after = residentBytes(gateway.pid!);

    expect([1006, 1008, 1013]).toContain(code);
    expect(after - before).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);

  it('stays up through a fuzz run from several clients, and chats normally afterwards', async () => {
    const before = pids();
    const baseline = cluster.gateways.map((g) => residentBytes(g.pid!));
    const urls = [...cluster.gatewayUrls.values(), cluster.wsUrl];

    await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (seed) => {
        const frames = new FuzzFrames(seed);
        const url = urls[seed % urls.length];
        let client = await TestClient.connect(url);
        client.send('join', { room: 'fuzz', nick: `fuzzer${seed}` });
        for (let i = 0; i < 600; i++) {
          if (client.socket.readyState !== WebSocket.OPEN) {
            client = await TestClient.connect(url);
          }
          client.socket.send(frames.next('fuzz'));
          if (i % 50 === 0) {
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
        await client.close();
      }),
    );

    const ann = await TestClient.connect(urls[0]);
    const bob = await TestClient.connect(urls[1]);
    ann.send('join', { room: 'after-fuzz', nick: 'ann' });
    bob.send('join', { room: 'after-fuzz', nick: 'bob' });
    await ann.waitFor('joined');
    await bob.waitFor('joined');
    ann.send('send', { room: 'after-fuzz', text: 'all good?', id: 'g-1' });
    const received = await bob.waitFor('message', (m) => m.id === 'g-1');
    await Promise.all([ann.close(), bob.close()]);
    const settled = await waitUntil('memory to settle', () => {
      const now = cluster.gateways.map((g) => residentBytes(g.pid!));
      return now.every((rss, i) => rss < baseline[i] + 64 * 1024 * 1024)
        ? now
        : undefined;
    });

    expect(pids()).toEqual(before);
    expect(cluster.gateways.every((g) => g.running)).toBe(true);
    expect(received.text).toBe('all good?');
    expect(settled).toHaveLength(2);
  }, 90_000);
});
