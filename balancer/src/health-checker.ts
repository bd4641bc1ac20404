import type { Logger } from 'pino';

import { probeReadiness } from './readiness-probe.js';
import type { Upstream } from './upstream.js';
import type { UpstreamPool } from './upstream-pool.js';

/** How often and how patiently the gateways are probed. */
export interface HealthCheckOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/**
 * Probes every gateway's `/readyz` in rounds and tells the pool what it
 * found. The next round is scheduled when the last one has finished, so a
 * slow gateway never piles up probes.
 */
export class HealthChecker {
  private timer: NodeJS.Timeout | undefined;

  private readonly aborter = new AbortController();

  private running = false;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly options: HealthCheckOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Runs a first round and resolves when it is done, so the balancer
   * starts knowing which gateways are up; later rounds run in the
   * background until `stop()`.
   */
  async start(): Promise<void> {
    this.running = true;
    this.logger.debug(this.options, 'health checks starting');

    await this.runRound();
  }

  /** Stops the rounds and aborts the probes in flight. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.aborter.abort();
  }

  private async runRound(): Promise<void> {
    const upstreams = this.pool.upstreams;
    await Promise.all(upstreams.map((upstream) => this.check(upstream)));

    if (!this.running) return;

    this.timer = setTimeout(
      () => void this.runRound(),
      this.options.intervalMs,
    );
  }

  private async check(upstream: Upstream): Promise<void> {
    const { timeoutMs } = this.options;
    const result = await probeReadiness(
      upstream,
      timeoutMs,
      this.aborter.signal,
    );

    // A probe aborted by stop() says nothing about the gateway.
    if (!this.running) return;

    if (result.ready) this.pool.markUp(upstream);
    else this.pool.markDown(upstream, result.reason);
  }
}
