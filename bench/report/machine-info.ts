import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';

import { packageRoot } from '../../gateway/src/config/package-root.js';
import { redisVersion } from '../systems/redis-probe.js';

/** The packages whose installed versions a result depends on. */
const PACKAGES = [
  'ws',
  '@nestjs/core',
  '@nestjs/platform-ws',
  'aedes',
  'mqtt',
  'better-sqlite3',
  'http-proxy',
  'socket.io',
  '@socket.io/redis-adapter',
  'redis',
  'vega',
  'vega-lite',
];

/** What a result was measured on. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  kernel: string;
  node: string;
  redis: string | null;
  versions: Record<string, string>;
}

function installedVersion(name: string): string {
  try {
    const manifest = readFileSync(
      join(packageRoot, 'node_modules', name, 'package.json'),
      'utf8',
    );
    return (JSON.parse(manifest) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** Reads the machine, Node, Redis and the installed package versions. */
export async function machineInfo(): Promise<MachineInfo> {
  const own = JSON.parse(
    readFileSync(join(packageRoot, 'package.json'), 'utf8'),
  ) as { name: string; version: string };

  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    redis: await redisVersion(),
    versions: {
      [own.name]: own.version,
      ...Object.fromEntries(PACKAGES.map((p) => [p, installedVersion(p)])),
    },
  };
}
