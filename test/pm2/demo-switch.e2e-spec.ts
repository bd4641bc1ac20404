import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  demoActionPath,
  type ClusterReport,
  type DemoAction,
} from '../../gateway/src/protocol/index.js';
import { browserAvailable, launchBrowser } from '../support/browser.js';
import { freePort, freePortRange } from '../support/free-port.js';
import { Pm2Home } from '../support/pm2-home.js';
import { testOutputDir } from '../support/test-output.js';
import { waitUntil } from '../support/wait-until.js';

describe('the demo switch under PM2', () => {
  let pm2: Pm2Home;
  let dataDir: string;
  let balancerPort: number;
  let basePort: number;
  let target: string;

  const base = () => `http://127.0.0.1:${balancerPort}`;

  const cluster = async () => {
    const res = await fetch(`${base()}/api/cluster`, {
      signal: AbortSignal.timeout(3000),
    });
    return (await res.json()) as ClusterReport;
  };

  const stateOf = async (server: string) =>
    (await cluster()).instances.find((i) => i.server === server)?.state;

  const statusOf = async (name: string) =>
    (await pm2.list()).find((app) => app.name === name)?.pm2_env.status;

  const ask = async (action: DemoAction) => {
    const res = await fetch(`${base()}${demoActionPath(target, action)}`, {
      method: 'POST',
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: (await res.json()) as object };
  };

  const bothUp = () =>
    waitUntil('both gateways up behind the balancer', async () => {
      const report = await cluster();
      return report.instances.every((i) => i.state === 'up')
        ? report
        : undefined;
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chat-pm2-demo-'));
    balancerPort = await freePort();
    basePort = await freePortRange(2);
    target = `gateway-${basePort}`;
    pm2 = new Pm2Home({
      BALANCER_PORT: String(balancerPort),
      GATEWAY_BASE_PORT: String(basePort),
      BUS_PORT: String(await freePort()),
      DATA_DIR: dataDir,
    });
    await pm2.pm2('start', 'ecosystem.config.js');
    await bothUp();
  }, 60_000);

  afterAll(async () => {
    await pm2?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('answers 403 demo_off while DEMO is not set, and the gateway runs on', async () => {
    const answer = await ask('stop');

    expect(answer).toMatchObject({ status: 403, body: { error: 'demo_off' } });
    expect((await cluster()).demo).toBe(false);
    expect(await statusOf(target)).toBe('online');
  }, 30_000);

  it('stops a gateway through PM2 with DEMO=1, and starts it again', async () => {
    await pm2.pm2('delete', 'balancer');
    await pm2.pm2With(
      { DEMO: '1' },
      'start',
      'ecosystem.config.js',
      '--only',
      'balancer',
    );
    const report = await bothUp();
    expect(report.demo).toBe(true);

    const stopped = await ask('stop');

    expect(stopped.status).toBe(200);
    expect(await statusOf(target)).toBe('stopped');
    await waitUntil('the stopped gateway shown down', async () =>
      (await stateOf(target)) === 'down' ? true : undefined,
    );
    expect(await statusOf(`gateway-${basePort + 1}`)).toBe('online');

    const started = await ask('start');

    expect(started.status).toBe(200);
    expect(await statusOf(target)).toBe('online');
    await waitUntil('the started gateway shown up', async () =>
      (await stateOf(target)) === 'up' ? true : undefined,
    );
  }, 60_000);

  const inBrowser = browserAvailable() ? it : it.skip;

  inBrowser(
    'stops and starts a gateway from the cluster panel of the page',
    async () => {
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        await page.goto(base());
        await page.getByTestId('cluster-toggle').click();
        const card = page
          .getByTestId('instance-card')
          .filter({ hasText: target });
        const state = card.getByTestId('instance-state');
        await state.filter({ hasText: /up/i }).waitFor();

        await card.getByTestId('instance-stop').click();
        await state.filter({ hasText: /down/i }).waitFor({ timeout: 15_000 });
        const whileDown = await statusOf(target);
        await page.screenshot({
          path: join(testOutputDir('browser'), 'demo-stopped.png'),
        });
        await card.getByTestId('instance-start').click();
        await state.filter({ hasText: /up/i }).waitFor({ timeout: 15_000 });

        expect(whileDown).toBe('stopped');
        expect(await statusOf(target)).toBe('online');
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
