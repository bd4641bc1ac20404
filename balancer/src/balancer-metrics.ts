import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import type { UpstreamStatus } from './upstream.js';

/** What the metrics read, at the moment they are scraped. */
export interface BalancerFacts {
  upstreams(): UpstreamStatus[];
  upgradesTotal(): number;
}

/**
 * The balancer's Prometheus metrics at `/metrics`. Every value is read
 * from the pool and the router when scraped, so the proxy path does no
 * extra work per connection.
 */
export class BalancerMetrics {
  readonly registry = new Registry();

  constructor(facts: BalancerFacts) {
    this.registry.setDefaultLabels({ instance: 'balancer' });
    collectDefaultMetrics({ register: this.registry });

    const registers = [this.registry];
    new Gauge({
      name: 'balancer_connections',
      help: 'WebSocket connections proxied now, on every upstream',
      registers,
      collect() {
        const open = facts
          .upstreams()
          .reduce((sum, u) => sum + u.openConnections, 0);
        this.set(open);
      },
    });

    let counted = 0;
    new Counter({
      name: 'balancer_upgrades_total',
      help: 'WebSocket upgrades that reached an upstream',
      registers,
      collect() {
        const total = facts.upgradesTotal();
        this.inc(total - counted);
        counted = total;
      },
    });

    new Gauge({
      name: 'balancer_upstream_up',
      help: 'Whether an upstream passes its health check (1) or not (0)',
      labelNames: ['upstream'],
      registers,
      collect() {
        for (const u of facts.upstreams()) {
          this.set({ upstream: u.id }, u.state === 'up' ? 1 : 0);
        }
      },
    });

    new Gauge({
      name: 'balancer_upstream_connections',
      help: 'WebSocket connections proxied now, by upstream',
      labelNames: ['upstream'],
      registers,
      collect() {
        for (const u of facts.upstreams()) {
          this.set({ upstream: u.id }, u.openConnections);
        }
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
