import { startTestCluster } from '../../test/support/test-cluster.js';
import type { SystemUnderTest } from './system-under-test.js';

/**
 * Settings the bench gives the cluster. Every client comes from 127.0.0.1,
 * so the per-address limit would stop the bench at 50 connections; the
 * pending-upgrade limit is raised so that a connect burst measures the
 * handshake, not the refusal; and a bench sender sends far more than the
 * 20 frames a second a person is allowed.
 */
export const BENCH_ENV = {
  MAX_CONNECTIONS_PER_ADDRESS: '1000000',
  MAX_PENDING_UPGRADES: '5000',
  RATE_LIMIT_PER_SECOND: '100000',
  RATE_LIMIT_BURST: '100000',
  LOG_LEVEL: 'info',
};

/**
 * Starts the chat as the tests do, from the built output: the bus, two
 * gateways sharing a fresh store, and the balancer, on free ports.
 */
export async function startChatCluster(): Promise<SystemUnderTest> {
  const cluster = await startTestCluster('bench-chat', { env: BENCH_ENV });

  return {
    name: 'chat',
    dialect: 'chat',
    entryUrl: cluster.wsUrl,
    directUrls: [...cluster.gatewayUrls.values()],
    pids() {
      const all = [cluster.bus, ...cluster.gateways, cluster.balancer].filter(
        (p) => p !== undefined,
      );
      return new Map(all.map((p) => [p.name, p.pid ?? -1]));
    },
    stop: () => cluster.stop(),
  };
}
