import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { RunningBalancer } from '../../balancer/src/balancer.js';
import {
  httpUrl,
  makeTempDir,
  startTestBalancer,
} from './support/test-balancer.js';

const TEST_TIMEOUT_MS = 5000;

const INDEX_HTML = '<!doctype html><title>chat</title><div id="app"></div>';

const ACCEPT_HTML = { Accept: 'text/html,application/xhtml+xml' };

describe('static site', () => {
  const webRoot = makeTempDir();
  let balancer: RunningBalancer;

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(httpUrl(balancer, path), {
      headers,
      signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
    });

  beforeAll(async () => {
    mkdirSync(join(webRoot.dir, 'assets'));
    writeFileSync(join(webRoot.dir, 'index.html'), INDEX_HTML);
    writeFileSync(join(webRoot.dir, 'assets', 'app-3f9a.js'), 'export {};');
    balancer = await startTestBalancer([], { webRoot: webRoot.dir });
  });

  afterAll(async () => {
    await balancer?.close();
    webRoot.remove();
  });

  it(
    'serves index.html at / and asks for revalidation',
    async () => {
      const res = await get('/', ACCEPT_HTML);

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(INDEX_HTML);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'serves index.html for a deep link to a room with dots in its name',
    async () => {
      const res = await get('/room/v1.2', ACCEPT_HTML);

      expect(res.status).toBe(200);
      expect(await res.text()).toBe(INDEX_HTML);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'serves index.html for a deep link of the SPA',
    async () => {
      const res = await get('/room/general', ACCEPT_HTML);

      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(INDEX_HTML);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'serves hashed assets with a long cache',
    async () => {
      const res = await get('/assets/app-3f9a.js');

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
      expect(res.headers.get('cache-control')).toBe(
        'public, max-age=31536000, immutable',
      );
      expect(await res.text()).toBe('export {};');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers a plain 404 for a missing file with an extension',
    async () => {
      for (const path of ['/assets/nope.js', '/favicon.ico']) {
        const res = await get(path, ACCEPT_HTML);

        expect(res.status).toBe(404);
        expect(await res.text()).not.toContain('<title>chat</title>');
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 404 for a route when the client does not accept HTML',
    async () => {
      const res = await get('/room/general', { Accept: 'application/json' });

      expect(res.status).toBe(404);
      await res.body?.cancel();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'does not serve files outside the web root',
    async () => {
      const res = await get('/..%2f..%2fetc%2fpasswd');

      expect([400, 403, 404]).toContain(res.status);
      expect(await res.text()).not.toContain('root:');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'reports its own health on /healthz',
    async () => {
      const res = await get('/healthz');

      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: 'ok',
        upstreams: { up: 0, total: 0 },
      });
    },
    TEST_TIMEOUT_MS,
  );
});

describe('static site before the SPA is built', () => {
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
    'answers 503 with a hint to build it',
    async () => {
      for (const path of ['/', '/room/general', '/assets/app.js']) {
        const res = await fetch(httpUrl(balancer, path), {
          signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
        });

        expect(res.status).toBe(503);
        expect(await res.text()).toContain('SPA not built: run npm run build');
      }
    },
    TEST_TIMEOUT_MS,
  );
});
