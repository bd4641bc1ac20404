import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../../gateway/src/config/package-root.js';

/**
 * One process of a test cluster, started from the built output with an IPC
 * channel, so that the test hears its `ready` the way PM2 does.
 */
export class ClusterProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** How the last run ended: an exit code, or the signal that killed it. */
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    /**
     * A command the script is run under, such as `['ip', 'netns', 'exec',
     * NAME]`: it must exec Node in its own place, so that the pid, the
     * signals and the IPC channel reach the script itself.
     */
    private readonly launcher: readonly string[] = [],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  /** Starts the process and resolves on its `ready` message. */
  start(timeoutMs = 15_000): Promise<void> {
    const log = createWriteStream(join(this.logDir, `${this.name}.log`), {
      flags: 'a',
    });
    const script = join(packageRoot, this.script);
    const options = {
      cwd: packageRoot,
      env: { ...process.env, LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'] as ('ignore' | 'pipe' | 'ipc')[],
    };
    const [command, ...args] = this.launcher;
    const child =
      command === undefined
        ? fork(script, [], options)
        : spawn(command, [...args, process.execPath, script], options);
    this.child = child;
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.lastExit = undefined;
    // Resolved once the output is in the log file too, so that a test can
    // read the log of a process right after it stopped.
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        this.lastExit = { code, signal };
        log.end(() => resolve());
      }),
    );

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name} was not ready in ${timeoutMs} ms`));
      }, timeoutMs);
      child.on('message', (message) => {
        if (message === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code ?? signal})`));
      });
    });
  }

  /** Sends a signal and waits for the exit, SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 8000) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }

    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
