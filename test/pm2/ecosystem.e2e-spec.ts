import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { packageRoot } from '../../gateway/src/config/package-root.js';
import { CloseCode } from '../../gateway/src/protocol/index.js';
import { ChatPeer } from '../support/chat-peer.js';
import { freePort, freePortRange } from '../support/free-port.js';
import { expectPeersMatchStore } from '../support/peer-checks.js';
import { Pm2Home } from '../support/pm2-home.js';
import { readRoomHistory } from '../support/room-history.js';
import { TestClient } from '../support/test-client.js';
import { waitUntil } from '../support/wait-until.js';

const run = promisify(execFile);

describe('ecosystem.config.js under PM2', () => {
  let pm2: Pm2Home;
  let dataDir: string;
  let balancerPort: number;
  let basePort: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chat-pm2-data-'));
    balancerPort = await freePort();
    basePort = await freePortRange(2);
    pm2 = new Pm2Home({
      BALANCER_PORT: String(balancerPort),
      GATEWAY_BASE_PORT: String(basePort),
      BUS_PORT: String(await freePort()),
      DATA_DIR: dataDir,
    });
  });

  afterAll(async () => {
    await pm2?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('brings up the bus, two named gateways and the balancer', async () => {
    await pm2.pm2('start', 'ecosystem.config.js');
    const apps = await waitUntil('every app online', async () => {
      const list = await pm2.list();
      return list.length === 4 &&
        list.every((app) => app.pm2_env.status === 'online')
        ? list
        : undefined;
    });

    expect(apps.map((app) => app.name).sort()).toEqual([
      'balancer',
      'bus',
      `gateway-${basePort}`,
      `gateway-${basePort + 1}`,
    ]);

    const url = `ws://127.0.0.1:${balancerPort}/ws`;
    // PM2 calls a gateway online before the balancer's probe has seen it.
    await waitUntil('both gateways up at the balancer', async () => {
      const response = await fetch(`http://127.0.0.1:${balancerPort}/healthz`);
      const body = (await response.json()) as { upstreams: { up: number } };
      return body.upstreams.up === 2 ? true : undefined;
    });
    const first = await TestClient.connect(url);
    const second = await TestClient.connect(url);
    expect([first.server, second.server].sort()).toEqual([
      `gateway-${basePort}`,
      `gateway-${basePort + 1}`,
    ]);
    first.send('join', { room: 'monit', nick: 'first' });
    await first.waitFor('joined');
    first.send('send', { room: 'monit', text: 'counted', id: 'monit-1' });
    await first.waitFor('message');
    const monitors = await waitUntil('the PM2 metrics', async () => {
      const list = await pm2.list();
      const gateway = list.find((app) => app.name === first.server);
      const monitor = gateway?.pm2_env.axm_monitor ?? {};
      return 'Messages in' in monitor ? monitor : undefined;
    });
    await Promise.all([first.close(), second.close()]);

    // Each process reports its metrics to PM2 about once a second.
    const balancerMonitor = await waitUntil(
      'the balancer metrics',
      async () => {
        const list = await pm2.list();
        const monitor = list.find((app) => app.name === 'balancer')?.pm2_env
          .axm_monitor;
        return monitor && 'Connections proxied' in monitor
          ? monitor
          : undefined;
      },
    );
    expect(Object.keys(balancerMonitor)).toEqual(
      expect.arrayContaining(['Connections proxied', 'Healthy instances']),
    );
    expect(Object.keys(monitors)).toEqual(
      expect.arrayContaining([
        'Connections',
        'Rooms',
        'Messages in',
        'Deliveries out',
        'Bus round trip',
        'Store write',
      ]),
    );
  }, 60_000);

  it('reloads the gateways one after the other while users chat, losing nothing', async () => {
    const url = `ws://127.0.0.1:${balancerPort}/ws`;
    const peers = [0, 1, 2, 3].map((i) => new ChatPeer(url, `r${i}`, 'reload'));
    for (const peer of peers) {
      peer.start();
      await waitUntil('the peer to join', () => peer.current);
    }
    let n = 0;
    const talk = setInterval(() => {
      n++;
      peers.forEach((peer) => peer.say(`${peer.nick} #${n}`));
    }, 100);

    try {
      await run(process.execPath, ['dist/gateway/src/ops/rolling-reload.js'], {
        cwd: packageRoot,
        env: {
          ...process.env,
          PM2_HOME: pm2.home,
          BALANCER_PORT: String(balancerPort),
          LOG_LEVEL: 'silent',
        },
        timeout: 60_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      clearInterval(talk);
    }

    await expectPeersMatchStore(peers, () => readRoomHistory(url, 'reload'));
    await Promise.all(peers.map((peer) => peer.stop()));
    const codes = peers.flatMap((peer) =>
      peer.connections
        .map((c) => c.closeCode)
        .filter((code) => code !== undefined && code !== CloseCode.Normal),
    );
    expect(codes.length).toBeGreaterThanOrEqual(4);
    expect(new Set(codes)).toEqual(new Set([CloseCode.ServiceRestart]));
    const apps = await pm2.list();
    expect(apps.every((app) => app.pm2_env.status === 'online')).toBe(true);
  }, 90_000);

  it('takes every app down with pm2 delete', async () => {
    await pm2.pm2('delete', 'ecosystem.config.js');

    expect(await pm2.list()).toEqual([]);
  }, 30_000);
});
