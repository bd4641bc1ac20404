import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';

import { browserAvailable, launchBrowser } from '../support/browser.js';
import { startTestCluster, type TestCluster } from '../support/test-cluster.js';
import { testOutputDir } from '../support/test-output.js';

const run = browserAvailable() ? describe : describe.skip;

run('The SPA’s rooms, notices, typing and direct messages', () => {
  let cluster: TestCluster;
  let browser: Browser;
  const shots = testOutputDir('browser');

  beforeAll(async () => {
    cluster = await startTestCluster('browser-features');
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  }, 30_000);

  const openChat = async (
    nick: string,
    room: string,
    viewport = { width: 1100, height: 720 },
  ): Promise<Page> => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(cluster.httpUrl);
    await page.getByTestId('nick-input').fill(nick);
    await page.getByTestId('room-input').fill(room);
    await page.getByTestId('join-button').click();
    await page
      .getByTestId('server-name')
      .filter({ hasText: /gateway-/ })
      .waitFor();
    // Joined: on a phone the member list is folded away, so the composer.
    await page.getByTestId('composer').waitFor();
    await page
      .getByTestId('member')
      .filter({ hasText: nick })
      .waitFor({ state: 'attached' });
    return page;
  };

  const serverOf = async (page: Page) =>
    (await page.getByTestId('server-name').innerText()).trim();

  it('names the newcomer’s server in the join notice, and shows and hides who is typing', async () => {
    const ann = await openChat('ann', 'lobby');
    const bob = await openChat('bob', 'lobby');
    const bobServer = await serverOf(bob);

    const notice = ann
      .getByTestId('notice')
      .filter({ hasText: `bob joined from ${bobServer}` });
    await notice.waitFor();
    await bob.getByTestId('composer').pressSequentially('hel', { delay: 50 });
    const typing = ann.getByTestId('typing');
    await typing.filter({ hasText: 'bob is typing…' }).waitFor();
    await bob.getByTestId('composer').pressSequentially('lo there');
    await bob.getByTestId('composer').press('Enter');
    await ann
      .getByTestId('message')
      .filter({ hasText: 'hello there' })
      .waitFor();

    expect(await serverOf(ann)).not.toBe(bobServer);
    expect(await typing.innerText()).toBe('');
    await ann.screenshot({ path: join(shots, 'main-view.png') });
    copyFileSync(
      join(shots, 'main-view.png'),
      join(process.cwd(), 'docs', 'screenshot.png'),
    );
    await ann.context().close();
    await bob.context().close();
  }, 60_000);

  it('tells that a member moved to another server when their instance drains', async () => {
    const ivy = await openChat('ivy', 'moves');
    const jon = await openChat('jon', 'moves');
    const from = await serverOf(jon);
    const victim = cluster.gateways.find((g) => g.name === from)!;
    await ivy.getByTestId('notice').filter({ hasText: 'jon joined' }).waitFor();

    await victim.stop('SIGTERM');
    const moved = ivy.getByTestId('notice').filter({ hasText: 'jon moved to' });
    await moved.waitFor({ timeout: 20_000 });
    await victim.start();

    expect(await moved.innerText()).toContain(await serverOf(ivy));
    expect(
      await ivy.getByTestId('notice').filter({ hasText: 'jon left' }).count(),
    ).toBe(0);
    await ivy.context().close();
    await jon.context().close();
  }, 60_000);

  it('lists a direct message in the recipient’s conversations with an unread count', async () => {
    const cleo = await openChat('cleo', 'dms');
    const dan = await openChat('dan', 'dms');
    expect(await serverOf(cleo)).not.toBe(await serverOf(dan));
    await cleo.getByTestId('member').filter({ hasText: 'dan' }).waitFor();

    await cleo.getByTestId('member-dm').filter({ hasText: 'dan' }).click();
    await cleo.getByTestId('direct-header').waitFor();
    await cleo.getByTestId('composer').fill('a word in private');
    await cleo.getByTestId('composer').press('Enter');
    await cleo.getByTestId('composer').fill('@dan and another');
    await cleo.getByTestId('composer').press('Enter');
    const entry = dan
      .getByTestId('conversation-entry')
      .filter({ hasText: 'cleo' });
    await entry
      .getByTestId('conversation-unread')
      .filter({ hasText: '2' })
      .waitFor();

    expect(await dan.getByTestId('message').count()).toBe(0);
    await entry.click();
    await dan
      .getByTestId('message')
      .filter({ hasText: 'and another' })
      .waitFor();
    await dan
      .getByTestId('direct-server')
      .filter({ hasText: await serverOf(cleo) })
      .waitFor();
    expect(await entry.getByTestId('conversation-unread').count()).toBe(0);
    await dan.screenshot({ path: join(shots, 'conversation.png') });
    await cleo.context().close();
    await dan.context().close();
  }, 60_000);

  it('opens the room of a /room/NAME address again after a reload, and keeps rooms apart', async () => {
    const eve = await openChat('eve', 'first');
    await eve.getByTestId('composer').fill('only in first');
    await eve.getByTestId('composer').press('Enter');
    await eve
      .getByTestId('message')
      .filter({ hasText: 'only in first' })
      .waitFor();
    await eve.getByTestId('new-room-input').fill('second');
    await eve.getByTestId('new-room-button').click();
    await eve.waitForURL(/\/room\/second$/u);
    await eve.getByTestId('room-name').filter({ hasText: 'second' }).waitFor();
    await eve.getByTestId('composer').fill('only in second');
    await eve.getByTestId('composer').press('Enter');
    await eve
      .getByTestId('message')
      .filter({ hasText: 'only in second' })
      .waitFor();

    await eve.reload();
    await eve.getByTestId('room-name').filter({ hasText: 'second' }).waitFor();
    await eve
      .getByTestId('message')
      .filter({ hasText: 'only in second' })
      .waitFor();
    await eve
      .getByTestId('room-entry')
      .and(eve.locator('[data-room=first]'))
      .waitFor();

    expect(new URL(eve.url()).pathname).toBe('/room/second');
    expect(
      await eve
        .getByTestId('message')
        .filter({ hasText: 'only in first' })
        .count(),
    ).toBe(0);
    await eve.context().close();
  }, 60_000);

  it('shows the phone layout without sideways scrolling', async () => {
    const phone = await openChat('phone', 'lobby', { width: 390, height: 780 });
    await phone.getByTestId('composer').fill('see https://example.com/a-page.');
    await phone.getByTestId('composer').press('Enter');
    const link = phone.locator('[data-testid=message-text] a');
    await link.waitFor();

    expect(await link.getAttribute('href')).toBe('https://example.com/a-page');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    const width = await phone.evaluate(
      () => document.documentElement.scrollWidth,
    );
    expect(width).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(shots, 'phone-layout.png') });
    await phone.context().close();
  }, 60_000);
});
