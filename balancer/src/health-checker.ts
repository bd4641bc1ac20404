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
 * Probes every gateway's `/readyz` and tells the pool what it found. Each
 * gateway has its own loop, and its next probe is scheduled when the last
 * one has finished: a slow gateway never piles up probes, nor delays the
 * probes of the others. A gateway that stops answering is therefore marked
 * down at most `intervalMs + timeoutMs` after its last good answer.
 */
export class HealthChecker {
  private readonly timers = new Set<NodeJS.Timeout>();

  private readonly aborter = new AbortController();

  private running = false;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly options: HealthCheckOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Probes every gateway once and resolves when all have answered, so the
   * balancer starts knowing which are up; later probes run in the
   * background until `stop()`.
   */
  async start(): Promise<void> {
    this.running = true;
    this.logger.debug(this.options, 'health checks starting');

    await Promise.all(
      this.pool.upstreams.map((upstream) => this.checkAndRepeat(upstream)),
    );
  }

  /**
   * Starts the probe loops of upstreams added to the pool after start().
   * The loop of an upstream taken out of the pool ends by itself.
   */
  watch(upstreams: readonly Upstream[]): void {
    if (!this.running) return;

    for (const upstream of upstreams) void this.checkAndRepeat(upstream);
  }

  /** Stops the probes and aborts those in flight. */
  stop(): void {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.aborter.abort();
  }

  private async checkAndRepeat(upstream: Upstream): Promise<void> {
    await this.check(upstream);

    if (!this.running || !this.pool.has(upstream)) return;

    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.checkAndRepeat(upstream);
    }, this.options.intervalMs);
    this.timers.add(timer);
  }

  private async check(upstream: Upstream): Promise<void> {
    const { timeoutMs } = this.options;
    const result = await probeReadiness(
      upstream,
      timeoutMs,
      this.aborter.signal,
    );

    // A probe aborted by stop() says nothing about the gateway, and one
    // of an upstream taken out of the pool no longer matters.
    if (!this.running || !this.pool.has(upstream)) return;

    this.pool.recordProbe(upstream, result, Date.now());
  }
}
