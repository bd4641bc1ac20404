import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { freePort, freePortRange } from '../support/free-port.js';
import { Pm2Home } from '../support/pm2-home.js';
import { TestClient } from '../support/test-client.js';
import { waitUntil } from '../support/wait-until.js';

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

  it('brings up the bus, two named gateways and the balancer, and takes them down', async () => {
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
    const first = await waitUntil('the balancer', () =>
      TestClient.connect(url),
    );
    const second = await TestClient.connect(url);
    expect([first.server, second.server].sort()).toEqual([
      `gateway-${basePort}`,
      `gateway-${basePort + 1}`,
    ]);
    await Promise.all([first.close(), second.close()]);

    await pm2.pm2('delete', 'ecosystem.config.js');
    expect(await pm2.list()).toEqual([]);
  }, 90_000);
});
