import { existsSync } from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

/** Where Debian puts Chromium; CHROMIUM_PATH overrides it. */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether browser tests can run here. Under CI a missing browser is a
 * failure, not a skip: the suite must not pass by proving nothing.
 */
export function browserAvailable(): boolean {
  if (existsSync(executablePath)) {
    return true;
  }

  if (process.env.CI === 'true') {
    throw new Error(
      `CI=true and no Chromium at ${executablePath}: install Debian's chromium`,
    );
  }

  process.stderr.write(
    `Browser tests skipped: no Chromium at ${executablePath}\n`,
  );
  return false;
}

/** Headless Chromium with the flags this machine needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
