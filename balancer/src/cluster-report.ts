import type {
  ClusterReport,
  InstanceReport,
} from '../../gateway/src/protocol/index.js';
import type { UpstreamStatus } from './upstream.js';

export type { ClusterReport, InstanceReport };

/** What the report is made from, read at the moment it is asked for. */
export interface ClusterFacts {
  readonly startedAt: number;
  readonly now: number;
  readonly upgradesTotal: number;
  /** Whether the demo switch is on. @default false */
  readonly demo?: boolean;
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
    demo: facts.demo ?? false,
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
    messagesPerSecond: status.rates?.messagesPerSecond ?? null,
    deliveriesPerSecond: status.rates?.deliveriesPerSecond ?? null,
    uptimeSeconds: status.uptimeSeconds,
  };
}

function isoTime(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
