import { parentPort, workerData } from 'node:worker_threads';

import { LatencyHistogram } from '../measure/latency-histogram.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { frameDialect, stringField } from './frame-dialect.js';
import { LoadClient, type ClientCounters } from './load-client.js';
import type {
  ConnectRequest,
  RunRequest,
  StepStats,
  WorkerAnswer,
  WorkerRequest,
  WorkerSetup,
} from './load-messages.js';

/** Longest a step's sending may overrun its schedule before it stops. */
const OVERRUN_MS = 5000;

/** The worker's own clock in epoch milliseconds, to the microsecond. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * A thread of the load generator: owns a share of the clients, sends on a
 * schedule and counts what arrives. The main thread only adds up.
 */
class LoadWorker {
  private readonly dialect = frameDialect((workerData as WorkerSetup).dialect);
  private readonly clients = new Map<number, LoadClient>();
  private readonly counters: ClientCounters = {
    acks: 0,
    errors: 0,
    dropped: 0,
  };
  private step = -1;
  private ledgers = new Map<number, DeliveryLedger>();
  private histogram = new LatencyHistogram();
  private stats = this.emptyStats();

  async handle(request: WorkerRequest): Promise<WorkerAnswer> {
    switch (request.type) {
      case 'connect':
        return this.connect(request);
      case 'run':
        return this.run(request);
      case 'stats':
        return { type: 'stats', ref: request.ref, ...this.snapshot() };
      case 'close':
        for (const client of this.clients.values()) client.close();
        this.clients.clear();
        return { type: 'closed', ref: request.ref };
    }
  }

  private async connect(request: ConnectRequest): Promise<WorkerAnswer> {
    const queue = [...request.clients];
    const servers: Record<string, number> = {};
    const clientsByServer: Record<string, number[]> = {};
    let connected = 0;
    let failed = 0;
    let firstError: string | null = null;

    const lane = async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) {
        const client = new LoadClient(
          spec,
          this.dialect,
          (recipient, frame) => this.receive(recipient, frame),
          this.counters,
        );
        try {
          await client.connect(request.timeoutMs);
          this.clients.set(spec.index, client);
          servers[client.server] = (servers[client.server] ?? 0) + 1;
          (clientsByServer[client.server] ??= []).push(spec.index);
          connected++;
        } catch (err) {
          failed++;
          firstError ??= err instanceof Error ? err.message : String(err);
        }
      }
    };
    const lanes = Math.max(1, Math.min(request.concurrency, queue.length));
    await Promise.all(Array.from({ length: lanes }, lane));

    return {
      type: 'connected',
      ref: request.ref,
      connected,
      failed,
      servers,
      clientsByServer,
      firstError,
    };
  }

  /**
   * Sends `count` messages, message k due at startAt + (k + phase) / rate:
   * an open loop, so a slow server does not slow the offered load down.
   */
  private run(request: RunRequest): Promise<WorkerAnswer> {
    this.resetStep(request.step);
    const interval = 1000 / request.rate;
    const deadline = request.startAt + request.count * interval + OVERRUN_MS;
    let k = 0;
    let sent = 0;
    let unsent = 0;
    let lagMs = 0;

    return new Promise((resolve) => {
      const tick = () => {
        const at = now();
        while (k < request.count) {
          const due = request.startAt + (k + request.phase) * interval;
          if (due > at) break;

          const sender = request.senders[k % request.senders.length];
          const client = this.clients.get(sender);
          const id = `${request.step}.${sender}.${k}`;
          if (client?.send(id, `t${now().toFixed(3)}`)) {
            sent++;
          } else {
            unsent++;
          }
          lagMs = at - due;
          k++;
        }

        if (k >= request.count || at > deadline) {
          clearInterval(timer);
          unsent += request.count - k;
          resolve({ type: 'ran', ref: request.ref, sent, unsent, lagMs });
        }
      };
      const timer = setInterval(tick, 1);
    });
  }

  private receive(recipient: number, frame: Buffer): void {
    const id = stringField(frame, 'id');
    const text = stringField(frame, 'text');
    if (!id || !text) {
      this.stats.stray++;
      return;
    }

    const [step, sender, n] = id.split('.').map(Number);
    if (step !== this.step) {
      this.stats.stray++;
      return;
    }
    if (sender === recipient) {
      this.stats.echoes++;
      return;
    }

    let ledger = this.ledgers.get(recipient);
    if (!ledger) {
      ledger = new DeliveryLedger();
      this.ledgers.set(recipient, ledger);
    }
    if (!ledger.mark(sender, n)) {
      this.stats.duplicated++;
      return;
    }

    this.stats.delivered++;
    this.histogram.record(now() - Number(text.slice(1)));
  }

  private resetStep(step: number): void {
    this.step = step;
    this.ledgers = new Map();
    this.histogram = new LatencyHistogram();
    this.stats = this.emptyStats();
    this.counters.acks = 0;
    this.counters.errors = 0;
    this.counters.dropped = 0;
  }

  private snapshot(): StepStats {
    return {
      ...this.stats,
      acks: this.counters.acks,
      errors: this.counters.errors,
      dropped: this.counters.dropped,
      silent: this.silentClients(),
      histogram: this.histogram.toJSON(),
    };
  }

  private silentClients(): Record<string, number> {
    const silent: Record<string, number> = {};
    for (const [index, client] of this.clients) {
      if (!this.ledgers.has(index)) {
        silent[client.server] = (silent[client.server] ?? 0) + 1;
      }
    }

    return silent;
  }

  private emptyStats(): StepStats {
    return {
      delivered: 0,
      duplicated: 0,
      echoes: 0,
      acks: 0,
      errors: 0,
      stray: 0,
      dropped: 0,
      silent: {},
      histogram: new LatencyHistogram().toJSON(),
    };
  }
}

const worker = new LoadWorker();
parentPort?.on('message', (request: WorkerRequest) => {
  void worker
    .handle(request)
    .catch((err: unknown): WorkerAnswer => ({
      type: 'failed',
      ref: request.ref,
      message: err instanceof Error ? err.message : String(err),
    }))
    .then((answer) => parentPort?.postMessage(answer));
});
