import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';

import { browserAvailable, launchBrowser } from '../support/browser.js';
import { startTestCluster, type TestCluster } from '../support/test-cluster.js';
import { testOutputDir } from '../support/test-output.js';

const run = browserAvailable() ? describe : describe.skip;

run('The cluster panel and the message path in a real browser', () => {
  let cluster: TestCluster;
  let browser: Browser;
  const shots = testOutputDir('browser');

  beforeAll(async () => {
    cluster = await startTestCluster('browser-cluster-panel');
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  }, 30_000);

  const openChat = async (
    nick: string,
    room: string,
    viewport = { width: 1100, height: 760 },
  ): Promise<Page> => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(cluster.httpUrl);
    await page.getByTestId('nick-input').fill(nick);
    await page.getByTestId('room-input').fill(room);
    await page.getByTestId('join-button').click();
    await page.getByTestId('composer').waitFor();
    // Joined: the member list holds this page's own nick (folded away on a
    // phone, so attached rather than visible).
    await page
      .getByTestId('member')
      .filter({ hasText: nick })
      .waitFor({ state: 'attached' });
    return page;
  };

  const say = async (page: Page, text: string) => {
    await page.getByTestId('composer').fill(text);
    await page.getByTestId('composer').press('Enter');
    await page.getByTestId('message').filter({ hasText: text }).waitFor();
  };

  const card = (page: Page, server: string) =>
    page.locator(`[data-testid=instance-card][data-server="${server}"]`);

  it('shows both instances, marks this tab’s, and follows one going down and coming back', async () => {
    const page = await openChat('watcher', 'panel');
    const here = (await page.getByTestId('server-name').innerText()).trim();
    const names = [...cluster.gatewayUrls.keys()];
    const other = names.find((name) => name !== here)!;

    await page.getByTestId('cluster-toggle').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('cluster-panel').waitFor();
    for (const name of names) {
      await card(page, name).and(page.locator('[data-state=up]')).waitFor();
    }

    expect(await page.getByTestId('instance-card').count()).toBe(2);
    expect(await card(page, here).getByTestId('you-are-here').count()).toBe(1);
    expect(await card(page, other).getByTestId('you-are-here').count()).toBe(0);
    expect(await page.getByTestId('instance-stop').count()).toBe(0);

    // Spread over a few seconds, so that the chart has a shape to show.
    for (let i = 0; i < 12; i++) {
      await say(page, `load ${i}`);
      await page.waitForTimeout(250);
    }
    await card(page, here)
      .getByTestId('instance-rate')
      .filter({ hasNotText: /^\s*(–|0\.0)\s*$/ })
      .waitFor({ timeout: 5000 });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(shots, 'cluster-panel.png') });

    const index = names.indexOf(other);
    await cluster.gateways[index].stop('SIGKILL');
    await card(page, other)
      .and(page.locator('[data-state=down]'))
      .waitFor({ timeout: 5000 });

    expect(
      await card(page, other).getByTestId('instance-state').innerText(),
    ).toContain('down');
    await page
      .getByTestId('state-changes')
      .filter({ hasText: other })
      .waitFor();
    await page.screenshot({ path: join(shots, 'cluster-panel-down.png') });

    await cluster.gateways[index].start();
    await card(page, other)
      .and(page.locator('[data-state=up]'))
      .waitFor({ timeout: 10_000 });
  }, 60_000);

  it('opens the path of a live message with every hop, and says when one came from history', async () => {
    const ann = await openChat('ann', 'paths');
    const bob = await openChat('bob', 'paths');
    await say(ann, 'how did I get here?');
    const received = bob
      .getByTestId('message')
      .filter({ hasText: 'how did I get here?' });
    await received.waitFor();

    await ann
      .getByTestId('message')
      .filter({ hasText: 'how did I get here?' })
      .getByTestId('message-body')
      .click();
    const dialog = ann.getByTestId('message-path');
    await dialog.waitFor();
    const hops = dialog.getByTestId('path-hop');

    expect(await hops.count()).toBe(7);
    const text = await dialog.innerText();
    expect(text).toContain('Sent by this tab');
    expect(text).toContain('Stored under seq');
    expect(text).toContain('Received by this tab');
    expect(text).not.toContain('unknown');
    await ann.screenshot({ path: join(shots, 'message-path.png') });
    await ann.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await received.getByTestId('message-body').focus();
    await bob.keyboard.press('Enter');
    const theirs = bob.getByTestId('message-path');
    await theirs.waitFor();
    const bobServer = (await bob.getByTestId('server-name').innerText()).trim();
    expect(await theirs.innerText()).toContain('Sent by ann');
    expect(await theirs.innerText()).toContain('unknown');
    expect(await theirs.innerText()).toContain(bobServer);
    await bob.keyboard.press('Escape');

    const late = await openChat('carol', 'paths');
    await late
      .getByTestId('message')
      .filter({ hasText: 'how did I get here?' })
      .getByTestId('message-body')
      .click();
    await late.getByTestId('path-history').waitFor();
    expect(await late.getByTestId('message-path').innerText()).toContain(
      'From history',
    );
  }, 60_000);

  it('fits the panel on a phone-sized screen', async () => {
    const page = await openChat('pocket', 'panel', {
      width: 390,
      height: 780,
    });

    await page.getByTestId('cluster-toggle').click();
    await page.getByTestId('instance-card').first().waitFor();
    await page
      .locator('[data-testid=instance-card][data-state=up]')
      .nth(1)
      .waitFor();

    const width = await page.evaluate(
      () => document.documentElement.scrollWidth,
    );
    expect(width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(shots, 'cluster-panel-phone.png') });
  }, 30_000);
});
