import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { RunningBalancer } from '../../balancer/src/balancer.js';
import { contentSecurityPolicy } from '../../balancer/src/security-headers.js';
import {
  httpUrl,
  makeTempDir,
  startTestBalancer,
} from './support/test-balancer.js';

const TEST_TIMEOUT_MS = 5000;

const ACCEPT_HTML = { Accept: 'text/html' };

const FIXED_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

function expectSecurityHeaders(res: Response): void {
  for (const [name, value] of Object.entries(FIXED_HEADERS)) {
    expect([name, res.headers.get(name)]).toEqual([name, value]);
  }

  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res.headers.has('x-powered-by')).toBe(false);
}

describe('security headers', () => {
  const webRoot = makeTempDir();
  let balancer: RunningBalancer;

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(httpUrl(balancer, path), {
      headers,
      signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
    });

  beforeAll(async () => {
    mkdirSync(join(webRoot.dir, 'assets'));
    writeFileSync(join(webRoot.dir, 'index.html'), '<!doctype html>');
    writeFileSync(join(webRoot.dir, 'assets', 'app-1.js'), 'export {};');
    balancer = await startTestBalancer([], { webRoot: webRoot.dir });
  });

  afterAll(async () => {
    await balancer?.close();
    webRoot.remove();
  });

  it.each([
    ['/', ACCEPT_HTML, 200],
    ['/room/general', ACCEPT_HTML, 200],
    ['/assets/app-1.js', {}, 200],
    ['/assets/missing.js', {}, 404],
    ['/room/general', { Accept: 'application/json' }, 404],
    ['/api/unknown', { Accept: 'application/json' }, 404],
    ['/healthz', {}, 200],
    ['/api/cluster', {}, 200],
    ['/ws', {}, 503],
  ])(
    'are on the answer to %s (%j)',
    async (path, headers, status) => {
      const res = await get(path, headers);
      await res.body?.cancel();

      expect(res.status).toBe(status);
      expectSecurityHeaders(res);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'let the page open its socket on its own host and on no other',
    async () => {
      const res = await get('/', ACCEPT_HTML);
      await res.body?.cancel();

      const host = `127.0.0.1:${balancer.port}`;
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
      expect(csp).not.toMatch(/\bwss?:(?!\/\/)/);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('security headers before the SPA is built', () => {
  const webRoot = makeTempDir();
  let balancer: RunningBalancer;

  beforeAll(async () => {
    balancer = await startTestBalancer([], { webRoot: webRoot.dir });
  });

  afterAll(async () => {
    await balancer?.close();
    webRoot.remove();
  });

  it(
    'are on the 503 that asks for a build',
    async () => {
      const res = await fetch(httpUrl(balancer, '/'), {
        signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
      });
      await res.body?.cancel();

      expect(res.status).toBe(503);
      expectSecurityHeaders(res);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('contentSecurityPolicy', () => {
  it('names the socket origins of a host name with a port', () => {
    const csp = contentSecurityPolicy('chat.example:8000');

    expect(csp).toContain(
      "connect-src 'self' ws://chat.example:8000 wss://chat.example:8000",
    );
  });

  it.each([
    ['no Host', undefined],
    ['an IPv6 literal', '[::1]:8000'],
    ['an injected directive', "x; script-src 'unsafe-inline'"],
    ['a wildcard', '*'],
  ])('falls back to self alone for %s', (_what, host) => {
    const csp = contentSecurityPolicy(host);

    expect(csp).toMatch(/connect-src 'self'$/);
    expect(csp).not.toContain('unsafe-inline');
  });
});
