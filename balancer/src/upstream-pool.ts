import type { Logger } from 'pino';

import type { ProbeResult } from './readiness-probe.js';
import {
  formatAddress,
  Upstream,
  type UpstreamAddress,
  type UpstreamState,
  type UpstreamStatus,
} from './upstream.js';

/**
 * The gateway instances behind the balancer and the choice between them.
 * It owns every health change, so a change is logged once whether the
 * health checker or a failed connection noticed it.
 */
export class UpstreamPool {
  private list: Upstream[];

  /** Where the next search for a tie starts, for round robin. */
  private cursor = 0;

  constructor(
    addresses: readonly UpstreamAddress[],
    private readonly logger: Logger,
  ) {
    this.list = addresses.map(({ host, port }) => new Upstream(host, port));
  }

  /** The upstreams in configuration order. */
  get upstreams(): readonly Upstream[] {
    return this.list;
  }

  /**
   * Takes a new list of addresses, in its order. An upstream listed before
   * and now keeps its health and its counts; a new one starts `unknown`
   * and is not picked before its first probe; one left out is no longer
   * picked, and the connections it carries go on until they close.
   */
  replace(addresses: readonly UpstreamAddress[]): {
    added: Upstream[];
    removed: Upstream[];
  } {
    const known = new Map(this.list.map((upstream) => [upstream.id, upstream]));
    const next = addresses.map(
      ({ host, port }) =>
        known.get(formatAddress(host, port)) ?? new Upstream(host, port),
    );
    const added = next.filter((upstream) => !known.has(upstream.id));
    const removed = this.list.filter((upstream) => !next.includes(upstream));

    this.list = next;
    this.cursor = 0;
    if (added.length > 0 || removed.length > 0) {
      this.logger.info(
        {
          added: added.map(({ id }) => id),
          removed: removed.map(({ id }) => id),
          upstreams: next.length,
        },
        'upstreams changed',
      );
    }

    return { added, removed };
  }

  /** Whether an upstream is still in the list. */
  has(upstream: Upstream): boolean {
    return this.list.includes(upstream);
  }

  /**
   * Picks the healthy upstream with the fewest connections, taking turns
   * among those that tie. Returns `undefined` when none is up: a down or
   * unknown upstream is never picked.
   */
  pick(): Upstream | undefined {
    const count = this.upstreams.length;
    let best: { upstream: Upstream; index: number } | undefined;

    for (let step = 0; step < count; step += 1) {
      const index = (this.cursor + step) % count;
      const upstream = this.upstreams[index];
      if (upstream?.state !== 'up') continue;
      if (best && upstream.load >= best.upstream.load) continue;
      best = { upstream, index };
    }

    if (!best) return undefined;

    this.cursor = (best.index + 1) % count;
    return best.upstream;
  }

  /**
   * Takes in what a readiness probe found. The instance name is kept when
   * a probe brings none, so a gateway that stopped answering is still shown
   * under the name it had. Its load is forgotten instead: figures from
   * before it went silent would describe a process that may be gone.
   */
  recordProbe(upstream: Upstream, result: ProbeResult, at: number): void {
    upstream.lastCheckAt = at;
    if (result.server !== undefined) upstream.server = result.server;

    upstream.uptimeSeconds = result.uptimeSeconds ?? null;
    if (result.totals) upstream.traffic.record(result.totals, at);
    else upstream.traffic.clear();

    if (result.ready) this.markUp(upstream, at);
    else if (result.draining) this.markDraining(upstream);
    else this.markDown(upstream, result.reason);
  }

  /**
   * Marks an upstream up; logs only if that is news. `at` is when that was
   * seen: the probe's time, so that `upSince` never precedes the check.
   */
  markUp(upstream: Upstream, at: number = Date.now()): void {
    if (!this.changeState(upstream, 'up', at)) return;

    this.logger.info({ upstream: upstream.id }, 'upstream is up');
  }

  /**
   * Marks an upstream that said it is shutting down: like down, it gets
   * no new users; unlike down, it is still finishing with its clients.
   */
  markDraining(upstream: Upstream): void {
    if (!this.changeState(upstream, 'draining')) return;

    this.logger.info({ upstream: upstream.id }, 'upstream is draining');
  }

  /**
   * Marks an upstream down; logs only if that is news. What it last said
   * about its load no longer holds.
   */
  markDown(upstream: Upstream, reason: string): void {
    upstream.traffic.clear();
    upstream.uptimeSeconds = null;
    if (!this.changeState(upstream, 'down')) return;

    this.logger.warn({ upstream: upstream.id, reason }, 'upstream is down');
  }

  countUp(): number {
    return this.upstreams.filter((upstream) => upstream.state === 'up').length;
  }

  /** Connections past their upgrade, on every upstream. */
  countOpen(): number {
    return this.upstreams.reduce((sum, { openConnections }) => {
      return sum + openConnections;
    }, 0);
  }

  /** Upgrades dialled to some upstream and not yet answered with 101. */
  countPending(): number {
    return this.upstreams.reduce((sum, { pendingConnections }) => {
      return sum + pendingConnections;
    }, 0);
  }

  status(): UpstreamStatus[] {
    return this.upstreams.map((upstream) => upstream.status());
  }

  private changeState(
    upstream: Upstream,
    state: UpstreamState,
    at: number = Date.now(),
  ): boolean {
    if (upstream.state === state) return false;

    upstream.state = state;
    upstream.upSince = state === 'up' ? at : null;
    return true;
  }
}
