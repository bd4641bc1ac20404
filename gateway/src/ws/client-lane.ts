import type { BoundHandler } from './handler-index.js';
import { TokenBucket } from './token-bucket.js';

/**
 * What the adapter keeps of one connection between its frames: its bound
 * handlers, its rate budget, and the frames still being handled. Most
 * connections are idle most of the time, so this is kept small: no
 * closures, and no promise once the last frame is done.
 */
export class ClientLane {
  readonly bucket: TokenBucket;

  /** Frames refused in a row, for the flood limit. */
  refusedInRow = 0;

  /** The last frame being handled, if any is. */
  private tail: Promise<void> | undefined;

  constructor(
    readonly handlers: readonly BoundHandler[],
    rate: { perSecond: number; burst: number },
  ) {
    this.bucket = new TokenBucket(rate.perSecond, rate.burst);
  }

  /**
   * Runs `work` once every frame queued before has been handled, so that a
   * `send` right behind its `join` finds the room joined. `failed` gets
   * what `work` throws; the frames after it still run.
   */
  enqueue(work: () => Promise<void>, failed: (err: unknown) => void): void {
    const run: Promise<void> = (this.tail ?? Promise.resolve())
      .then(work)
      .catch(failed)
      .finally(() => {
        if (this.tail === run) this.tail = undefined;
      });
    this.tail = run;
  }
}
