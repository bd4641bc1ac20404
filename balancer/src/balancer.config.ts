import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LevelWithSilent } from 'pino';

import { ConfigError } from './config-error.js';
import { LOG_LEVELS } from './logger.js';
import type { UpstreamAddress } from './upstream.js';
import { parseUpstreamList, readUpstreamsFile } from './upstream-list.js';

export { ConfigError };

/** Everything the balancer needs to start. */
export interface BalancerConfig {
  /** Port to listen on; 0 lets the OS choose. @default 8000 */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host: string;
  /** Gateway instances, in the order round robin visits them. */
  readonly upstreams: readonly UpstreamAddress[];
  /**
   * Absolute path of a file listing the gateways; when set, `upstreams`
   * comes from it and follows its changes while the balancer runs.
   */
  readonly upstreamsFile?: string | undefined;
  /** How often the upstreams file is checked for a change. @default 1000 */
  readonly upstreamsFilePollMs: number;
  /** Absolute path of the built SPA. @default '<package root>/dist/web' */
  readonly webRoot: string;
  /** Pause between two readiness probes of a gateway. @default 1000 */
  readonly healthIntervalMs: number;
  /** A probe that takes longer counts as a failure. @default 800 */
  readonly healthTimeoutMs: number;
  /**
   * WebSocket connections one client address may hold through the
   * balancer, counted from the accepted upgrade until it closes.
   * @default 50
   */
  readonly maxConnectionsPerAddress: number;
  /**
   * Upgrades dialled to a gateway and not yet answered with 101; past it
   * new upgrades are refused at once instead of queueing. @default 500
   */
  readonly maxPendingUpgrades: number;
  /**
   * Whether `POST /api/cluster/instances/:id/stop|start` may act, for
   * clients on this machine. @default false
   */
  readonly demo: boolean;
  /** @default 'info' */
  readonly logLevel: LevelWithSilent;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the balancer's settings from the environment, filling in defaults.
 * Throws a `ConfigError` naming the variable at the first bad value, so a
 * typo stops the start instead of leaving a balancer with no upstreams.
 */
export function loadBalancerConfig(env: Env = process.env): BalancerConfig {
  const file = readText(env, 'UPSTREAMS_FILE');
  const upstreamsFile = file === undefined ? undefined : resolve(file);

  return {
    port: readPort(env, 'BALANCER_PORT', 8000, 0),
    host: readHost(env, 'BALANCER_HOST', '127.0.0.1'),
    upstreams: upstreamsFile
      ? readUpstreamsFile(upstreamsFile)
      : readUpstreams(env),
    upstreamsFile,
    upstreamsFilePollMs: readPositiveInt(env, 'UPSTREAMS_FILE_POLL_MS', 1000),
    webRoot: resolve(readText(env, 'WEB_ROOT') ?? defaultWebRoot()),
    healthIntervalMs: readPositiveInt(env, 'HEALTH_INTERVAL_MS', 1000),
    healthTimeoutMs: readPositiveInt(env, 'HEALTH_TIMEOUT_MS', 800),
    maxConnectionsPerAddress: readPositiveInt(
      env,
      'MAX_CONNECTIONS_PER_ADDRESS',
      50,
    ),
    maxPendingUpgrades: readPositiveInt(env, 'MAX_PENDING_UPGRADES', 500),
    demo: readSwitch(env, 'DEMO'),
    logLevel: readLogLevel(env),
  };
}

/**
 * `UPSTREAMS_FILE` wins when set (see loadBalancerConfig), then
 * `UPSTREAMS`; otherwise `GATEWAY_COUNT` consecutive ports from
 * `GATEWAY_BASE_PORT`, which is how the PM2 ecosystem numbers them.
 */
function readUpstreams(env: Env): UpstreamAddress[] {
  const list = readText(env, 'UPSTREAMS');

  return list ? parseUpstreamList(list, 'UPSTREAMS') : gatewayRange(env);
}

function gatewayRange(env: Env): UpstreamAddress[] {
  const host = readHost(env, 'GATEWAY_HOST', '127.0.0.1');
  const basePort = readPort(env, 'GATEWAY_BASE_PORT', 8001, 1);
  const count = readPositiveInt(env, 'GATEWAY_COUNT', 2);

  if (basePort + count - 1 > 65535) {
    throw new ConfigError(
      `GATEWAY_BASE_PORT ${basePort} + GATEWAY_COUNT ${count} runs past port 65535`,
    );
  }

  return Array.from({ length: count }, (_, i) => ({
    host,
    port: basePort + i,
  }));
}

/**
 * `dist/web` under the package root. The root is found from this file, not
 * from the working directory, because PM2 or a test may start the balancer
 * anywhere; walking up to `package.json` works both from `balancer/src` and
 * from the compiled `dist/balancer/src`.
 */
function defaultWebRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));

  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
    if (dirname(dir) === dir) break;
  }

  throw new ConfigError(`no package.json above ${start}: set WEB_ROOT`);
}

function readText(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function readHost(env: Env, name: string, fallback: string): string {
  const host = readText(env, name) ?? fallback;

  if (/[\s/]/.test(host)) {
    throw new ConfigError(`${name} "${host}" is not a host name or address`);
  }

  return host;
}

function readPort(
  env: Env,
  name: string,
  fallback: number,
  min: number,
): number {
  const port = readInt(env, name, fallback);

  if (!isPort(port, min)) {
    throw new ConfigError(`${name} must be a port ${min}-65535, got ${port}`);
  }

  return port;
}

function readPositiveInt(env: Env, name: string, fallback: number): number {
  const value = readInt(env, name, fallback);

  if (value < 1) {
    throw new ConfigError(`${name} must be at least 1, got ${value}`);
  }

  return value;
}

function readInt(env: Env, name: string, fallback: number): number {
  const text = readText(env, name);
  if (text === undefined) return fallback;

  if (!/^\d+$/.test(text)) {
    throw new ConfigError(`${name} must be a whole number, got "${text}"`);
  }

  return Number(text);
}

/** `1` or `true` turns it on; unset, empty, `0` or `false` leave it off. */
function readSwitch(env: Env, name: string): boolean {
  const value = readText(env, name)?.toLowerCase();
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;

  throw new ConfigError(`${name} must be 1 or 0, got "${value}"`);
}

function readLogLevel(env: Env): LevelWithSilent {
  const level = readText(env, 'LOG_LEVEL') ?? 'info';
  const known: readonly string[] = LOG_LEVELS;

  if (!known.includes(level)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`,
    );
  }

  return level as LevelWithSilent;
}

function isPort(value: number, min: number): boolean {
  return Number.isInteger(value) && value >= min && value <= 65535;
}
