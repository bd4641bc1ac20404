import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { TestCluster } from './test-cluster.js';
import { TestClient } from './test-client.js';

/**
 * The behaviour every cluster must show, whatever its bus and store:
 * delivery across instances, history, gapless seqs under concurrent sends
 * from both instances, and resume. `start` brings up a cluster of two
 * gateways behind the balancer; the suite stops it.
 */
export function describeClusterBehaviour(
  title: string,
  start: () => Promise<TestCluster>,
): void {
  describe(title, () => {
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
      cluster = await start();
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
      // Eight senders of 25: each stays inside its burst of the rate limit.
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

    it('resumes a client that was away, on the other instance, from its last seq', async () => {
      const [east, west] = [...cluster.gatewayUrls.values()];
      const talker = await connect(east);
      const away = await connect(east);
      await join(talker, 'resume', 'talker');
      const { token } = await join(away, 'resume', 'away');
      talker.send('send', { room: 'resume', text: 'seen', id: 'r-1' });
      const seen = await away.waitFor('message', (m) => m.id === 'r-1');
      await away.close();

      for (let i = 2; i <= 4; i++) {
        talker.send('send', {
          room: 'resume',
          text: `missed ${i}`,
          id: `r-${i}`,
        });
      }
      await talker.waitFor('ack', (a) => a.id === 'r-4');
      const back = await connect(west);
      // The token claims the nick back before the old session's lease is
      // gone from the other instance.
      back.send('join', { room: 'resume', nick: 'away', token });
      await back.waitFor('joined', (j) => j.room === 'resume');
      back.send('resume', { room: 'resume', after: seen.seq });
      const missed = await back.waitFor('history', (h) => h.room === 'resume');

      expect(back.server).not.toBe(talker.server);
      expect(missed.messages.map((m) => [m.seq, m.id])).toEqual([
        [2, 'r-2'],
        [3, 'r-3'],
        [4, 'r-4'],
      ]);
    });
  });
}
