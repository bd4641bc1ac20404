import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { ChatPeer } from './chat-peer.js';
import { expectPeersMatchStore } from './peer-checks.js';
import { readRoomHistory } from './room-history.js';
import type { TestCluster } from './test-cluster.js';
import { TestClient } from './test-client.js';
import { testOutputDir } from './test-output.js';
import { waitUntil } from './wait-until.js';

/** Settings that make failures show within a test's patience. */
const FAST_FAILURE = {
  PRESENCE_INTERVAL_MS: '500',
  PRESENCE_TTL_MS: '2000',
  HEARTBEAT_MS: '1000',
  HEALTH_INTERVAL_MS: '250',
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/**
 * How a cluster must ride out failures, whatever its bus and store: a
 * gateway killed while peers chat, presence leases expiring, the bus going
 * away and coming back, every gateway down. `start` brings up two gateways
 * behind the balancer with the given extra environment; `figures` names
 * the test-output folder of the measured reconnect times.
 */
export function describeFailoverBehaviour(
  title: string,
  figures: string,
  start: (env: Record<string, string>) => Promise<TestCluster>,
): void {
  let cluster: TestCluster;

  /** The HTTP address of the gateway a peer is connected to. */
  const httpOf = (peer: ChatPeer) => {
    const url = cluster.gatewayUrls.get(peer.current!.server)!;
    return url.replace('ws://', 'http://').replace('/ws', '');
  };

  describe(title, () => {
    const peers: ChatPeer[] = [];
    let talk: NodeJS.Timeout | undefined;

    /**
     * Starts peers one after the other, each once the one before is joined,
     * so that the balancer's least-connections choice alternates.
     */
    const startPeers = async (room: string, count: number) => {
      const group: ChatPeer[] = [];
      for (let i = 0; i < count; i++) {
        const peer = new ChatPeer(cluster.wsUrl, `${room}${i}`, room);
        group.push(peer);
        peers.push(peer);
        peer.start();
        await waitUntil('the peer to join', () => peer.current);
      }
      return group;
    };

    const stopPeers = (group: ChatPeer[]) =>
      Promise.all(group.map((peer) => peer.stop()));

    /** Each peer says something every 100 ms until `quiet()`. */
    const chatter = (group: ChatPeer[]) => {
      let n = 0;
      talk = setInterval(() => {
        n++;
        for (const peer of group) {
          peer.say(`${peer.nick} #${n}`);
        }
      }, 100);
    };
    const quiet = () => clearInterval(talk);

    beforeAll(async () => {
      cluster = await start(FAST_FAILURE);
    }, 60_000);

    afterAll(async () => {
      quiet();
      await Promise.all(peers.map((peer) => peer.stop()));
      await cluster?.stop();
    }, 30_000);

    it('moves the users of a killed gateway to the other and loses nothing, kill after kill', async () => {
      const group = await startPeers('kill', 6);
      expect(new Set(group.map((p) => p.current!.server)).size).toBe(2);
      chatter(group);
      const reconnectMs: number[] = [];

      for (let round = 0; round < 3; round++) {
        await new Promise((resolve) => setTimeout(resolve, 700));
        const victim = cluster.gateways.find((g) =>
          group.some((p) => p.current?.server === g.name),
        )!;
        const moved = group.filter((p) => p.current?.server === victim.name);

        const killedAt = Date.now();
        await victim.stop('SIGKILL');
        await waitUntil(
          'the moved users to join the survivor',
          () =>
            moved.every((p) => p.current && p.current.joinedAt > killedAt)
              ? true
              : undefined,
          5000,
          20,
        );

        for (const peer of moved) {
          expect(peer.current!.server).not.toBe(victim.name);
          reconnectMs.push(peer.current!.joinedAt - killedAt);
        }
        await victim.start();
      }

      await new Promise((resolve) => setTimeout(resolve, 500));
      quiet();
      const history = await expectPeersMatchStore(group, () =>
        readRoomHistory(cluster.wsUrl, 'kill'),
      );

      writeFileSync(
        join(testOutputDir(figures), 'kill-reconnect.json'),
        JSON.stringify(
          {
            reconnects: reconnectMs.length,
            medianMs: median(reconnectMs),
            worstMs: Math.max(...reconnectMs),
            messages: history.length,
            lost: 0,
            duplicated: 0,
          },
          null,
          2,
        ),
      );
      await stopPeers(group);
    }, 90_000);

    it('drops the members of a killed instance when its lease expires, and lists them where they reconnect', async () => {
      const [moving, staying] = await startPeers('lease', 2);
      const victim = cluster.gateways.find(
        (g) => g.name === moving.current!.server,
      )!;
      const survivor = staying.current!.server;
      expect(victim.name).not.toBe(survivor);
      const watcher = await TestClient.connect(
        cluster.gatewayUrls.get(survivor)!,
      );
      watcher.send('join', { room: 'lease', nick: 'watcher' });
      await watcher.waitFor('joined');

      await victim.stop('SIGKILL');
      const after = await watcher.waitFor(
        'presence',
        (p) =>
          p.members.length === 3 &&
          p.members.every((m) => m.server === survivor),
        10_000,
      );
      await victim.start();
      await watcher.close();
      await stopPeers([moving, staying]);

      expect(after.members.map((m) => m.nick)).toEqual([
        'lease0',
        'lease1',
        'watcher',
      ]);
    }, 30_000);

    it('loses nothing for users of the other instance while the bus restarts', async () => {
      const group = await startPeers('bus', 4);
      expect(new Set(group.map((p) => p.current!.server)).size).toBe(2);
      chatter(group);

      await new Promise((resolve) => setTimeout(resolve, 500));
      await cluster.cutBus();
      const readiness = await waitUntil(
        'a gateway to report not ready',
        async () => {
          const response = await fetch(`${httpOf(group[0])}/readyz`);
          return response.status === 503
            ? ((await response.json()) as { bus: boolean })
            : undefined;
        },
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await cluster.restoreBus();
      await waitUntil('the gateway to be ready again', async () => {
        const response = await fetch(`${httpOf(group[0])}/readyz`);
        return response.ok ? true : undefined;
      });
      expect(readiness.bus).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      quiet();

      await expectPeersMatchStore(group, () =>
        readRoomHistory(cluster.wsUrl, 'bus'),
      );
      await stopPeers(group);
    }, 60_000);

    it('answers 503 at once while every gateway is down, and serves again when one returns', async () => {
      const [first, second] = cluster.gateways;

      await Promise.all([first.stop('SIGKILL'), second.stop('SIGKILL')]);
      const plain = await waitUntil(
        'the balancer to see both down',
        async () => {
          const response = await fetch(`${cluster.httpUrl}/ws`);
          return response.status === 503 ? response : undefined;
        },
      );
      const refusal = await TestClient.connect(cluster.wsUrl).catch(
        (err: Error) => err.message,
      );
      await first.start();
      const back = await waitUntil('a connection through the balancer', () =>
        TestClient.connect(cluster.wsUrl),
      );
      await second.start();

      expect(await plain.json()).toMatchObject({ error: 'no_upstream' });
      expect(refusal).toBe('upgrade refused with 503');
      expect(back.server).toBe(first.name);
      await back.close();
    }, 30_000);
  });
}
