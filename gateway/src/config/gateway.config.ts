import { hostname } from 'node:os';
import { resolve } from 'node:path';

import { packageRoot } from './package-root.js';

/** Everything a gateway instance needs to know, read once at start. */
export interface GatewayConfig {
  /** TCP port of the instance's HTTP and WebSocket server. */
  port: number;
  /** Address to bind; loopback unless the instance serves other hosts. */
  host: string;
  /** Unique name of the instance, shown to users as `server`. */
  instance: string;
  /** URL of the bus, e.g. `mqtt://127.0.0.1:8090`. */
  busUrl: string;
  /** Prefix of every bus topic, so that clusters can share a broker. */
  busPrefix: string;
  /** Path of the SQLite database file. */
  storePath: string;
  /**
   * URL of a PostgreSQL database shared by every gateway host, e.g.
   * `postgres://chat@db.internal:5432/chat`. When set it wins over
   * `storePath`.
   */
  databaseUrl: string | undefined;
  /** How long a message waits for its predecessor before a store fill. */
  holdbackMs: number;
  /** How often an instance republishes its presence lease. */
  presenceIntervalMs: number;
  /** How long a lease lives without renewal before its members vanish. */
  presenceTtlMs: number;
  /** Interval of WebSocket pings; a client missing one is dropped. */
  heartbeatMs: number;
  /** Largest WebSocket frame accepted, in bytes. */
  maxPayloadBytes: number;
  /** Frames a connection may send per second, and in one burst. */
  rateLimit: { perSecond: number; burst: number };
  /** Rooms one connection may be in at once. */
  maxRoomsPerConnection: number;
  /**
   * Bytes that may wait in a connection's send buffer; a client that reads
   * slower than the chat writes is dropped past it.
   */
  maxBufferedBytes: number;
  /** Browser origins allowed besides the one a request is addressed to. */
  allowedOrigins: ReadonlySet<string>;
  /** Host names the chat is served under, besides loopback. */
  allowedHosts: ReadonlySet<string>;
  /**
   * How long a connection's outgoing frames may wait to leave together, in
   * ms; 0 holds them only while the instance handles the I/O at hand.
   */
  writeWindowMs: number;
  /** pino level name. */
  logLevel: string;
}

type Env = Record<string, string | undefined>;

/** Default port of the embedded MQTT broker: clear of 1883 and 8883. */
export const DEFAULT_BUS_PORT = 8090;

/** Default port of the first gateway instance. */
export const DEFAULT_GATEWAY_BASE_PORT = 8001;

/**
 * Reads the gateway's settings from the environment. Throws with a sentence
 * naming the setting when one is invalid, so that a typo stops the start
 * instead of running with a surprise.
 */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const port = readInt(env, 'PORT', DEFAULT_GATEWAY_BASE_PORT, 0, 65535);
  const busPort = readInt(env, 'BUS_PORT', DEFAULT_BUS_PORT, 1, 65535);

  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    instance: env.INSTANCE ?? `gateway-${port || hostname()}`,
    busUrl: env.BUS_URL ?? `mqtt://127.0.0.1:${busPort}`,
    busPrefix: env.BUS_PREFIX ?? 'chat',
    storePath: resolve(
      packageRoot,
      env.STORE_PATH ?? resolve(env.DATA_DIR ?? 'data', 'chat.db'),
    ),
    databaseUrl: readUrl(env, 'DATABASE_URL'),
    holdbackMs: readInt(env, 'HOLDBACK_MS', 150, 1, 10_000),
    presenceIntervalMs: readInt(env, 'PRESENCE_INTERVAL_MS', 3000, 100, 60_000),
    presenceTtlMs: readInt(env, 'PRESENCE_TTL_MS', 10_000, 300, 600_000),
    heartbeatMs: readInt(env, 'HEARTBEAT_MS', 10_000, 100, 600_000),
    // Room, id and 4000 characters of text fit even when every character
    // is a JSON-escaped surrogate pair.
    maxPayloadBytes: readInt(env, 'MAX_FRAME_BYTES', 64 * 1024, 256, 1 << 24),
    rateLimit: {
      perSecond: readInt(env, 'RATE_LIMIT_PER_SECOND', 20, 1, 1_000_000),
      burst: readInt(env, 'RATE_LIMIT_BURST', 40, 1, 1_000_000),
    },
    maxRoomsPerConnection: readInt(
      env,
      'MAX_ROOMS_PER_CONNECTION',
      20,
      1,
      10_000,
    ),
    maxBufferedBytes: readInt(
      env,
      'MAX_BUFFERED_BYTES',
      1024 * 1024,
      1024,
      1 << 30,
    ),
    allowedOrigins: readList(env.ALLOWED_ORIGINS),
    allowedHosts: readList(env.ALLOWED_HOSTS),
    // Past a few tens of ms a window saves nothing more and users would
    // feel the wait.
    writeWindowMs: readInt(env, 'WRITE_WINDOW_MS', 8, 0, 100),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

function readList(raw: string | undefined): ReadonlySet<string> {
  return new Set(
    (raw ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
}

function readUrl(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    return undefined;
  }

  if (!URL.canParse(raw)) {
    throw new Error(`Setting ${name} is not a URL`);
  }

  return raw;
}

function readInt(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    return fallback;
  }

  // Digits only: Number() would also read 0x8, 1e2 and 0b1 as integers.
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `Setting ${name}=${raw} is not an integer from ${min} to ${max}`,
    );
  }

  return value;
}

/** Injection token of the GatewayConfig. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
