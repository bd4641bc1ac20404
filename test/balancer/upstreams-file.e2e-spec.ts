import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
} from '@jest/globals';

import {
  ConfigError,
  loadBalancerConfig,
} from '../../balancer/src/balancer.config.js';
import {
  startBalancer,
  type RunningBalancer,
} from '../../balancer/src/balancer.js';
import { FakeGateway } from './support/fake-gateway.js';
import { makeTempDir, wsUrl } from './support/test-balancer.js';
import { waitFor } from './support/wait-for.js';
import { closeClient, connectClient } from './support/ws-client.js';

const TEST_TIMEOUT_MS = 10_000;

/** Settings of a balancer that notices changes within a test's patience. */
const FAST = {
  BALANCER_PORT: '0',
  HEALTH_INTERVAL_MS: '50',
  HEALTH_TIMEOUT_MS: '200',
  UPSTREAMS_FILE_POLL_MS: '50',
  LOG_LEVEL: 'silent',
};

describe('Upstreams given as addresses', () => {
  const gateways: FakeGateway[] = [];
  const temp = makeTempDir();
  let balancer: RunningBalancer | undefined;

  /** Writes the file the way an operator should: a rename into place. */
  const writeAtomically = (path: string, text: string) => {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  };

  /** The gateways the next `count` connections reach, sorted. */
  const reached = async (count: number) => {
    const names: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const client = await connectClient(wsUrl(balancer!));
      names.push(client.gateway);
      await closeClient(client.ws);
    }
    return [...new Set(names)].sort();
  };

  const upstreamIds = () => balancer!.upstreams().map(({ id }) => id);

  beforeAll(async () => {
    for (const name of ['a', 'b', 'c']) {
      gateways.push(await FakeGateway.start(name));
    }
  });

  afterEach(async () => {
    await balancer?.close();
    balancer = undefined;
  });

  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    temp.remove();
  });

  it('reads a JSON file and a plain-text file with comments', () => {
    const [a, b] = gateways;
    const json = join(temp.dir, 'upstreams.json');
    const text = join(temp.dir, 'upstreams.txt');
    writeFileSync(json, JSON.stringify([`127.0.0.1:${a.port}`, '[::1]:9']));
    writeFileSync(
      text,
      `# gateways of host one\n127.0.0.1:${a.port}\n\n127.0.0.1:${b.port} # two\n`,
    );

    expect(loadBalancerConfig({ UPSTREAMS_FILE: json }).upstreams).toEqual([
      { host: '127.0.0.1', port: a.port },
      { host: '::1', port: 9 },
    ]);
    expect(
      loadBalancerConfig({ UPSTREAMS_FILE: text, UPSTREAMS: 'x:1' }).upstreams,
    ).toEqual([
      { host: '127.0.0.1', port: a.port },
      { host: '127.0.0.1', port: b.port },
    ]);
  });

  it('refuses a missing, empty or malformed file at start, naming it', () => {
    const empty = join(temp.dir, 'empty.txt');
    const broken = join(temp.dir, 'broken.json');
    writeFileSync(empty, '# nothing yet\n');
    writeFileSync(broken, '["127.0.0.1:1", 7]');

    for (const [file, message] of [
      [join(temp.dir, 'missing.txt'), /missing\.txt cannot be read \(ENOENT\)/],
      [empty, /empty\.txt must list at least one/],
      [broken, /broken\.json must be a JSON array/],
    ] as const) {
      const load = () => loadBalancerConfig({ UPSTREAMS_FILE: file });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(message);
    }
  });

  it(
    'routes to the gateways UPSTREAMS names, by name or address',
    async () => {
      const [a, b] = gateways;
      balancer = await startBalancer(
        loadBalancerConfig({
          ...FAST,
          UPSTREAMS: `localhost:${a.port},127.0.0.1:${b.port}`,
        }),
      );
      await waitFor(
        () => balancer!.upstreams().every(({ state }) => state === 'up'),
        'both up',
      );

      expect(await reached(4)).toEqual(['a', 'b']);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'follows the upstreams file as it changes, without a restart',
    async () => {
      const [a, b, c] = gateways;
      const file = join(temp.dir, 'live.txt');
      writeFileSync(file, `127.0.0.1:${a.port}\n`);
      balancer = await startBalancer(
        loadBalancerConfig({ ...FAST, UPSTREAMS_FILE: file }),
      );
      expect(await reached(3)).toEqual(['a']);

      writeAtomically(file, `127.0.0.1:${b.port}\n127.0.0.1:${c.port}\n`);
      await waitFor(
        () =>
          upstreamIds().join() === `127.0.0.1:${b.port},127.0.0.1:${c.port}` &&
          balancer!.upstreams().every(({ state }) => state === 'up'),
        'the new list up',
      );
      expect(await reached(4)).toEqual(['b', 'c']);

      writeAtomically(file, `127.0.0.1:${c.port}\nnot an address\n`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(upstreamIds()).toEqual([
        `127.0.0.1:${b.port}`,
        `127.0.0.1:${c.port}`,
      ]);

      writeAtomically(file, JSON.stringify([`127.0.0.1:${a.port}`]));
      await waitFor(
        () =>
          upstreamIds().join() === `127.0.0.1:${a.port}` &&
          balancer!.upstreams()[0]?.state === 'up',
        'back to a',
      );
      expect(await reached(3)).toEqual(['a']);
    },
    TEST_TIMEOUT_MS,
  );
});
