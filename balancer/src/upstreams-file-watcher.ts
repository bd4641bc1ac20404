import { unwatchFile, watchFile, type Stats } from 'node:fs';

import type { Logger } from 'pino';

import type { UpstreamAddress } from './upstream.js';
import { readUpstreamsFile } from './upstream-list.js';

/**
 * Follows the upstreams file while the balancer runs, so that gateways can
 * be added or removed by editing it: no restart, no code change. It polls
 * the file's stat rather than using fs.watch, because editors and
 * configuration tools replace a file by renaming another over it, which
 * an inotify watch on the old file never reports.
 *
 * A file that cannot be read or parsed leaves the current list in place
 * with a warning: a half-written file must not empty the balancer. Write
 * the file to a temporary name and rename it into place.
 */
export class UpstreamsFileWatcher {
  private watching = false;

  constructor(
    private readonly path: string,
    private readonly intervalMs: number,
    private readonly changed: (addresses: UpstreamAddress[]) => void,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts polling, and reads the file once now: it may have changed since
   * the configuration was loaded from it.
   */
  start(): void {
    if (this.watching) return;

    this.watching = true;
    watchFile(
      this.path,
      { interval: this.intervalMs, persistent: false },
      this.onStat,
    );
    this.reload();
  }

  stop(): void {
    if (!this.watching) return;

    this.watching = false;
    unwatchFile(this.path, this.onStat);
  }

  private readonly onStat = (current: Stats, previous: Stats): void => {
    const same =
      current.mtimeMs === previous.mtimeMs &&
      current.size === previous.size &&
      current.ino === previous.ino;
    if (same) return;

    this.reload();
  };

  private reload(): void {
    let addresses: UpstreamAddress[];
    try {
      addresses = readUpstreamsFile(this.path);
    } catch (error) {
      this.logger.warn(
        { reason: (error as Error).message },
        'upstreams file unusable, keeping the current list',
      );
      return;
    }

    this.changed(addresses);
  }
}
