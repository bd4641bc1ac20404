import { whenNotBusy } from './sqlite-busy.js';

interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (err: unknown) => void;
}

/** Items committed in one transaction at most. */
const MAX_BATCH = 256;

/**
 * Group commit: the items added while the instance handles one batch of
 * I/O are written in one transaction, in the order they came, and each is
 * answered only once that transaction has committed. A commit costs a
 * write-lock round and a WAL write whatever it holds, and two gateways
 * that share the file take turns at the lock: fewer, fuller transactions
 * mean fewer turns. One batch is written at a time, so order holds across
 * batches too.
 */
export class CommitQueue<I, O> {
  private waiting: Waiting<I, O>[] = [];

  private running = false;

  /**
   * @param commit writes the items in one transaction and returns, for
   *   each, its result or the error that refused that item alone
   */
  constructor(private readonly commit: (items: I[]) => (O | Error)[]) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      try {
        const results = await whenNotBusy(() =>
          this.commit(batch.map((w) => w.item)),
        );
        results.forEach((result, i) => {
          if (result instanceof Error) batch[i].reject(result);
          else batch[i].resolve(result);
        });
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }

    this.running = false;
  }
}
