import { Worker } from 'node:worker_threads';

import { LatencyHistogram } from '../measure/latency-histogram.js';
import type {
  ClientSpec,
  ConnectAnswer,
  DialectName,
  RunAnswer,
  StepStats,
  WorkerAnswer,
  WorkerRequest,
  WorkerSetup,
} from './load-messages.js';

/** Distributes type over a union, so that `ref` can be left out of each. */
type Unreffed<T> = T extends unknown ? Omit<T, 'ref'> : never;

/** The joined clients of a connect, added up over the workers. */
export interface FleetConnection {
  connected: number;
  failed: number;
  servers: Record<string, number>;
  /** Joined clients' global indices per instance, in index order. */
  clientsByServer: Record<string, number[]>;
  firstError: string | null;
  elapsedMs: number;
}

/** What the fleet sent in one step. */
export interface FleetRun {
  sent: number;
  unsent: number;
  lagMs: number;
}

/** A step's receipts, added up over the workers. */
export interface FleetStats extends Omit<StepStats, 'histogram'> {
  histogram: LatencyHistogram;
}

/**
 * The load generator seen from the main thread: worker threads, each with
 * its share of the clients (client i lives on worker i mod n), so that
 * sending and receiving use every core the machine gives them.
 */
export class LoadFleet {
  private nextRef = 1;
  private readonly pending = new Map<number, (a: WorkerAnswer) => void>();

  private constructor(private readonly workers: Worker[]) {
    for (const worker of workers) {
      worker.on('message', (answer: WorkerAnswer) => {
        const resolve = this.pending.get(answer.ref);
        this.pending.delete(answer.ref);
        resolve?.(answer);
      });
    }
  }

  /** Starts `size` workers speaking a dialect. */
  static start(size: number, dialect: DialectName): LoadFleet {
    const setup: WorkerSetup = { dialect };
    const workers = Array.from(
      { length: size },
      () =>
        new Worker(new URL('./load-worker.js', import.meta.url), {
          workerData: setup,
        }),
    );

    return new LoadFleet(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Opens and joins clients, `concurrency` handshakes at once in all. */
  async connect(
    clients: ClientSpec[],
    concurrency: number,
    timeoutMs = 20_000,
  ): Promise<FleetConnection> {
    const started = performance.now();
    const answers = (await Promise.all(
      this.workers.map((_, w) =>
        this.ask(w, {
          type: 'connect',
          clients: clients.filter((c) => c.index % this.size === w),
          concurrency: Math.ceil(concurrency / this.size),
          timeoutMs,
        }),
      ),
    )) as ConnectAnswer[];

    const servers: Record<string, number> = {};
    const clientsByServer: Record<string, number[]> = {};
    for (const answer of answers) {
      for (const [name, count] of Object.entries(answer.servers)) {
        servers[name] = (servers[name] ?? 0) + count;
      }
      for (const [name, indices] of Object.entries(answer.clientsByServer)) {
        (clientsByServer[name] ??= []).push(...indices);
      }
    }
    for (const indices of Object.values(clientsByServer)) {
      indices.sort((a, b) => a - b);
    }

    return {
      connected: sum(answers.map((a) => a.connected)),
      failed: sum(answers.map((a) => a.failed)),
      servers,
      clientsByServer,
      firstError: answers.find((a) => a.firstError)?.firstError ?? null,
      elapsedMs: performance.now() - started,
    };
  }

  /**
   * Sends `rate` messages a second for `durationMs` from the senders,
   * taking turns, and resolves when the last one has left.
   */
  async run(
    step: number,
    senders: number[],
    rate: number,
    durationMs: number,
  ): Promise<FleetRun> {
    const total = Math.round((rate * durationMs) / 1000);
    const startAt = Date.now() + 50;
    const answers = (await Promise.all(
      this.workers.map((_, w) => {
        const own = senders.filter((s) => s % this.size === w);
        const share = own.length / senders.length;
        const count = Math.round(total * share);

        return this.ask(w, {
          type: 'run',
          step,
          senders: own.length > 0 ? own : [-1],
          rate: Math.max(rate * share, 0.001),
          count: own.length > 0 ? count : 0,
          startAt,
          phase: w / this.size,
        });
      }),
    )) as RunAnswer[];

    return {
      sent: sum(answers.map((a) => a.sent)),
      unsent: sum(answers.map((a) => a.unsent)),
      lagMs: Math.max(...answers.map((a) => a.lagMs)),
    };
  }

  /** The receipts of the current step so far. */
  async stats(step: number): Promise<FleetStats> {
    const answers = (await Promise.all(
      this.workers.map((_, w) => this.ask(w, { type: 'stats', step })),
    )) as (StepStats & { type: 'stats' })[];

    const histogram = new LatencyHistogram();
    for (const answer of answers) {
      histogram.add(
        new LatencyHistogram(
          answer.histogram.counts,
          answer.histogram.maxMicros,
        ),
      );
    }
    const add = (key: keyof Omit<StepStats, 'histogram' | 'silent'>) =>
      sum(answers.map((a) => a[key]));
    const silent: Record<string, number> = {};
    for (const answer of answers) {
      for (const [server, count] of Object.entries(answer.silent)) {
        silent[server] = (silent[server] ?? 0) + count;
      }
    }

    return {
      delivered: add('delivered'),
      duplicated: add('duplicated'),
      echoes: add('echoes'),
      acks: add('acks'),
      errors: add('errors'),
      stray: add('stray'),
      dropped: add('dropped'),
      silent,
      histogram,
    };
  }

  /** Closes every client; the workers stay for the next connect. */
  async closeClients(): Promise<void> {
    await Promise.all(
      this.workers.map((_, w) => this.ask(w, { type: 'close' })),
    );
  }

  /** Ends the workers; their sockets go with them. */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private ask(
    worker: number,
    request: Unreffed<WorkerRequest>,
  ): Promise<WorkerAnswer> {
    const ref = this.nextRef++;

    return new Promise((resolve, reject) => {
      this.pending.set(ref, (answer) => {
        if (answer.type === 'failed') {
          reject(new Error(`load worker ${worker}: ${answer.message}`));
        } else {
          resolve(answer);
        }
      });
      this.workers[worker].postMessage({ ...request, ref });
    });
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
