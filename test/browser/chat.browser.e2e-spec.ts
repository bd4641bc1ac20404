import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';

import { browserAvailable, launchBrowser } from '../support/browser.js';
import { startTestCluster, type TestCluster } from '../support/test-cluster.js';
import { testOutputDir } from '../support/test-output.js';

const run = browserAvailable() ? describe : describe.skip;

run('The SPA in a real browser', () => {
  let cluster: TestCluster;
  let browser: Browser;
  const shots = testOutputDir('browser');

  beforeAll(async () => {
    cluster = await startTestCluster('browser-cluster');
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  }, 30_000);

  const openChat = async (nick: string, room: string): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: 1100, height: 720 },
    });
    const page = await context.newPage();
    await page.goto(cluster.httpUrl);
    await page.getByTestId('nick-input').fill(nick);
    await page.getByTestId('room-input').fill(room);
    await page.getByTestId('join-button').click();
    await page.getByTestId('composer').waitFor();
    await page
      .getByTestId('server-name')
      .filter({ hasText: /gateway-/ })
      .waitFor();
    // Joined: the member list holds this page's own nick.
    await page.getByTestId('member').filter({ hasText: nick }).waitFor();
    return page;
  };

  it('shows two windows their different servers and carries a message between them', async () => {
    const ann = await openChat('ann', 'general');
    const bob = await openChat('bob', 'general');

    const annServer = await ann.getByTestId('server-name').innerText();
    const bobServer = await bob.getByTestId('server-name').innerText();
    expect(annServer).not.toBe(bobServer);
    expect(cluster.gatewayUrls.has(annServer.trim())).toBe(true);
    expect(cluster.gatewayUrls.has(bobServer.trim())).toBe(true);

    await ann.getByTestId('composer').fill('hello from the first window');
    await ann.getByTestId('composer').press('Enter');
    const received = bob
      .getByTestId('message')
      .filter({ hasText: 'hello from the first window' });
    await received.waitFor();

    expect(await received.getAttribute('data-server')).toBe(annServer.trim());
    await bob.getByTestId('member').filter({ hasText: 'ann' }).waitFor();
    await ann.screenshot({ path: join(shots, 'first-window.png') });
    await bob.screenshot({ path: join(shots, 'second-window.png') });
  }, 60_000);

  it('shows that no server is available while every gateway is down, then reconnects by itself', async () => {
    const page = await openChat('carol', 'outage');
    const state = page.getByTestId('connection-state');

    await Promise.all(cluster.gateways.map((g) => g.stop('SIGKILL')));
    await state.filter({ hasText: 'no server available' }).waitFor();
    await page.screenshot({ path: join(shots, 'no-server.png') });
    await Promise.all(cluster.gateways.map((g) => g.start()));
    await state.filter({ hasText: 'connected' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('composer').fill('back again');
    await page.getByTestId('composer').press('Enter');

    await page
      .getByTestId('message')
      .filter({ hasText: 'back again' })
      .waitFor();
  }, 60_000);

  it('renders markup in a message and in a nickname as text, and isolates nickname direction', async () => {
    const eve = await openChat('<svg onload=alert(1)>', 'markup');
    const payload = '<img src=x onerror="window.__owned=1"><b>bold</b>';

    await eve.getByTestId('composer').fill(payload);
    await eve.getByTestId('composer').press('Enter');
    const shown = eve.getByTestId('message-text').filter({ hasText: 'bold' });
    await shown.waitFor();

    expect(await shown.innerText()).toContain(payload);
    expect(
      await eve.evaluate(() => 'ownedBy' in window || '__owned' in window),
    ).toBe(false);
    expect(await eve.locator('[data-testid=message-text] img').count()).toBe(0);
    const nick = eve.getByTestId('message').locator('bdi.nick').first();
    expect(await nick.innerText()).toBe('<svg onload=alert(1)>');
    expect(await eve.locator('svg[onload]').count()).toBe(0);
  }, 30_000);

  it('fits a phone-sized screen', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 780 },
      isMobile: true,
    });
    const page = await context.newPage();
    await page.goto(cluster.httpUrl);
    await page.getByTestId('nick-input').fill('phone');
    await page.getByTestId('join-button').click();
    await page.getByTestId('composer').waitFor();

    const width = await page.evaluate(
      () => document.documentElement.scrollWidth,
    );
    expect(width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(shots, 'phone.png') });
  }, 30_000);
});
