import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BalancerConfig } from '../../../balancer/src/balancer.config.js';
import {
  startBalancer,
  type BalancerParts,
  type RunningBalancer,
} from '../../../balancer/src/balancer.js';
import type { FakeGateway } from './fake-gateway.js';

/** A config for tests: port 0 on 127.0.0.1, fast probes, no logs. */
export function testConfig(
  gateways: readonly FakeGateway[],
  overrides: Partial<BalancerConfig> = {},
): BalancerConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    upstreams: gateways.map((gateway) => gateway.address),
    upstreamsFilePollMs: 50,
    webRoot: join(tmpdir(), 'balancer-test-no-site'),
    healthIntervalMs: 50,
    healthTimeoutMs: 200,
    maxConnectionsPerAddress: 50,
    maxPendingUpgrades: 500,
    demo: false,
    logLevel: 'silent',
    ...overrides,
  };
}

/** Starts a balancer in front of the given gateways. */
export function startTestBalancer(
  gateways: readonly FakeGateway[],
  overrides: Partial<BalancerConfig> = {},
  parts: BalancerParts = {},
): Promise<RunningBalancer> {
  const config = testConfig(gateways, overrides);
  return startBalancer(config, undefined, parts);
}

/** The balancer's WebSocket URL for a path. */
export function wsUrl(balancer: RunningBalancer, path = '/ws'): string {
  return `ws://127.0.0.1:${balancer.port}${path}`;
}

/** The balancer's HTTP URL for a path. */
export function httpUrl(balancer: RunningBalancer, path: string): string {
  return `http://127.0.0.1:${balancer.port}${path}`;
}

/** A fresh temporary directory, and a function that removes it. */
export function makeTempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'balancer-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
