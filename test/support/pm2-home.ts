import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { packageRoot } from '../../gateway/src/config/package-root.js';

const run = promisify(execFile);

/** One app as `pm2 jlist` shows it (the fields tests read). */
export interface Pm2App {
  name: string;
  pid: number;
  pm2_env: {
    status: string;
    restart_time: number;
    /** The app's @pm2/io metrics, by name. */
    axm_monitor?: Record<string, { value: unknown }>;
  };
}

/**
 * The project's own PM2 with a private PM2_HOME, so that a test never meets
 * another PM2 daemon on the machine, and stops only the daemon it started.
 */
export class Pm2Home {
  readonly home = mkdtempSync(join(tmpdir(), 'chat-pm2-'));
  private readonly bin = join(packageRoot, 'node_modules', '.bin', 'pm2');

  constructor(private readonly env: Record<string, string> = {}) {}

  async pm2(...args: string[]): Promise<string> {
    return this.pm2With({}, ...args);
  }

  /** Runs pm2 with settings added to this home's, for one command. */
  async pm2With(
    env: Record<string, string>,
    ...args: string[]
  ): Promise<string> {
    const { stdout } = await run(this.bin, args, {
      cwd: packageRoot,
      env: { ...process.env, ...this.env, ...env, PM2_HOME: this.home },
      timeout: 60_000,
    });

    return stdout;
  }

  async list(): Promise<Pm2App[]> {
    return JSON.parse(await this.pm2('jlist')) as Pm2App[];
  }

  /** Stops the apps and this home's daemon, by its pid, then removes it. */
  async destroy(): Promise<void> {
    const pidFile = join(this.home, 'pm2.pid');
    const daemon = existsSync(pidFile)
      ? Number(readFileSync(pidFile, 'utf8'))
      : undefined;
    const apps = await this.list().catch(() => []);

    await this.pm2('kill').catch(() => undefined);
    for (const pid of [daemon, ...apps.map((app) => app.pid)]) {
      if (pid && isAlive(pid)) {
        process.kill(pid, 'SIGKILL');
      }
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
