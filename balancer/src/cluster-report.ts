import type { UpstreamState, UpstreamStatus } from './upstream.js';

/** One gateway instance as `/api/cluster` shows it. */
export interface InstanceReport {
  /** `host:port` the balancer dials. */
  readonly id: string;
  readonly state: UpstreamState;
  /** Client connections open through the balancer to it. */
  readonly connections: number;
  /** The instance name from its `/readyz`, or `null` before it gave one. */
  readonly server: string | null;
  /** ISO 8601 time of its last finished readiness probe. */
  readonly lastCheckAt: string | null;
  /** ISO 8601 time it last turned up; `null` while it is not up. */
  readonly upSince: string | null;
}

/** The body of `GET /api/cluster`. */
export interface ClusterReport {
  readonly balancer: {
    readonly uptimeSeconds: number;
    /** Client connections open through the balancer, on every instance. */
    readonly connections: number;
    /** Upgrades that reached `101 Switching Protocols` since the start. */
    readonly upgradesTotal: number;
  };
  readonly instances: InstanceReport[];
}

/** What the report is made from, read at the moment it is asked for. */
export interface ClusterFacts {
  readonly startedAt: number;
  readonly now: number;
  readonly upgradesTotal: number;
  readonly upstreams: readonly UpstreamStatus[];
}

/** Builds the `/api/cluster` body from the balancer's own counters. */
export function buildClusterReport(facts: ClusterFacts): ClusterReport {
  const instances = facts.upstreams.map(reportInstance);
  const connections = instances.reduce((sum, instance) => {
    return sum + instance.connections;
  }, 0);

  return {
    balancer: {
      uptimeSeconds: Math.floor((facts.now - facts.startedAt) / 1000),
      connections,
      upgradesTotal: facts.upgradesTotal,
    },
    instances,
  };
}

function reportInstance(status: UpstreamStatus): InstanceReport {
  return {
    id: status.id,
    state: status.state,
    connections: status.openConnections,
    server: status.server,
    lastCheckAt: isoTime(status.lastCheckAt),
    upSince: isoTime(status.upSince),
  };
}

function isoTime(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
