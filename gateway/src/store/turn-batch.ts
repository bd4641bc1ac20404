/** A request waiting for its batch to run. */
interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers the requests made during one turn of the event loop and runs
 * them together, in the order they came. A storm of joins then takes the
 * store's write lock once per turn instead of once per join, and two
 * instances sharing one database wait for each other's lock that much
 * less often.
 */
export class TurnBatch<T, R> {
  private waiting: Waiting<T, R>[] = [];

  /** `run` answers every item, in order, or throws for all of them. */
  constructor(private readonly run: (items: T[]) => R[]) {}

  add(item: T): Promise<R> {
    if (this.waiting.length === 0) {
      setImmediate(() => this.flush());
    }

    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];

    let results: R[];
    try {
      results = this.run(batch.map((waiting) => waiting.item));
    } catch (err) {
      for (const waiting of batch) waiting.reject(err);
      return;
    }

    batch.forEach((waiting, index) => waiting.resolve(results[index]));
  }
}
