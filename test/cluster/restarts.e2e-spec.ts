import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { CloseCode } from '../../gateway/src/protocol/index.js';
import { ChatPeer } from '../support/chat-peer.js';
import { readRoomHistory } from '../support/room-history.js';
import { startTestCluster, type TestCluster } from '../support/test-cluster.js';
import { TestClient } from '../support/test-client.js';
import { testOutputDir } from '../support/test-output.js';
import { waitUntil } from '../support/wait-until.js';

describe('Restarts and mass reconnection', () => {
  let cluster: TestCluster;
  const peers: ChatPeer[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster('restarts', {
      env: {
        HEALTH_INTERVAL_MS: '250',
        PRESENCE_INTERVAL_MS: '500',
        PRESENCE_TTL_MS: '2000',
        MAX_CONNECTIONS_PER_ADDRESS: '5000',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(peers.map((peer) => peer.stop()));
    await cluster?.stop();
  }, 60_000);

  it('stops a gateway holding hundreds of clients on SIGINT, and the next process binds its port at once', async () => {
    const gateway = cluster.gateways[0];
    const url = cluster.gatewayUrls.get(gateway.name)!;

    for (let round = 0; round < 3; round++) {
      const clients = await Promise.all(
        Array.from({ length: 300 }, () => TestClient.connect(url)),
      );

      await gateway.stop('SIGINT', 10_000);
      const exit = gateway.lastExit;
      const codes = await Promise.all(clients.map((c) => c.closed));
      await gateway.start();

      // Nest re-raises the signal once its shutdown hooks are done, so a
      // clean stop ends by SIGINT; only SIGKILL means it hung.
      expect(exit?.signal).toBe('SIGINT');
      expect(new Set(codes.map((c) => c.code))).toEqual(
        new Set([CloseCode.ServiceRestart]),
      );
    }

    const log = readFileSync(
      join(testOutputDir('restarts'), `${gateway.name}.log`),
      'utf8',
    );
    expect(log).not.toContain('EADDRINUSE');
    expect(log.match(/"msg":"stopped"/g)).toHaveLength(3);
  }, 90_000);

  it('brings 1,000 clients back within 30 s of a kill, spread out in time, losing nothing', async () => {
    const rooms = 100;
    const group = Array.from(
      { length: 1000 },
      (_, i) =>
        new ChatPeer(cluster.wsUrl, `u${i}`, `mass${i % rooms}`, {
          baseMs: 500,
          capMs: 10_000,
        }),
    );
    peers.push(...group);
    for (const peer of group) {
      peer.start();
    }
    await waitUntil(
      'every peer joined',
      () => (group.every((p) => p.current) ? true : undefined),
      60_000,
    );
    for (const peer of group) {
      peer.say('before');
    }
    await waitUntil('every first message acked', () =>
      group.every((p) => p.pending === 0) ? true : undefined,
    );

    const victim = cluster.gateways[1];
    const moved = group.filter((p) => p.current!.server === victim.name);
    expect(moved.length).toBeGreaterThan(300);
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    await waitUntil(
      'every moved peer to join again',
      () =>
        moved.every((p) => p.current && p.current.joinedAt > killedAt)
          ? true
          : undefined,
      30_000,
    );
    const back = moved.map((p) => p.current!.joinedAt - killedAt);
    writeFileSync(
      join(testOutputDir('restarts-figures'), 'mass-reconnect.json'),
      JSON.stringify(
        {
          clients: group.length,
          moved: moved.length,
          medianMs: back.sort((a, b) => a - b)[back.length >> 1],
          worstMs: Math.max(...back),
        },
        null,
        2,
      ),
    );
    for (const peer of moved) {
      peer.say('after');
    }
    await waitUntil('every second message acked', () =>
      moved.every((p) => p.pending === 0) ? true : undefined,
    );
    await victim.start();

    const attempts = moved.flatMap((p) =>
      p.attempts.filter((t) => t > killedAt),
    );
    const busiest = Math.max(
      ...attempts.map(
        (t) => attempts.filter((u) => u >= t && u < t + 100).length,
      ),
    );
    expect(busiest).toBeLessThan(attempts.length * 0.4);

    const stored = new Set<string>();
    for (let r = 0; r < rooms; r++) {
      const history = await readRoomHistory(cluster.wsUrl, `mass${r}`);
      history.forEach((m) => stored.add(m.id));
    }
    const acked = group.flatMap((p) => [...p.acked.keys()]);
    expect(acked).toHaveLength(1000 + moved.length);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
  }, 150_000);
});
