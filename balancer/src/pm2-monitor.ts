import type { BalancerFacts } from './balancer-metrics.js';

/**
 * The balancer's figures in `pm2 monit`, reported only under PM2. The
 * library's HTTP instrumentation stays off: it wraps the very server whose
 * upgrades the balancer proxies.
 */
export async function startPm2Monitor(facts: BalancerFacts): Promise<void> {
  if (process.env.pm_id === undefined) {
    return;
  }

  const io = (await import('@pm2/io')).default.init({
    catchExceptions: false,
    profiling: false,
    metrics: { http: false, network: false, v8: true, eventLoop: true },
  });

  io.metric({
    name: 'Connections proxied',
    value: () =>
      facts.upstreams().reduce((sum, u) => sum + u.openConnections, 0),
  });
  io.metric({
    name: 'Healthy instances',
    value: () => facts.upstreams().filter((u) => u.state === 'up').length,
  });
  io.metric({
    name: 'Instances',
    value: () => facts.upstreams().length,
  });

  const upgrades = io.meter({ name: 'Upgrades', unit: 'upg/s' });
  let seen = facts.upgradesTotal();
  setInterval(() => {
    const total = facts.upgradesTotal();
    upgrades.mark(total - seen);
    seen = total;
  }, 1000).unref();
}
