/**
 * The balancer's `GET /api/cluster` answer and its demo switch (see
 * docs/balancer.md), shared by the balancer, the SPA's cluster panel and
 * the tests.
 */

/** The path of the report. */
export const CLUSTER_PATH = '/api/cluster';

/**
 * Health of one instance as the balancer last saw it. `unknown` lasts
 * until the first probe answers; `draining` is a gateway that answered
 * 503 because it is shutting down. Only `up` is given new users.
 */
export type InstanceState = 'unknown' | 'up' | 'down' | 'draining';

/** One gateway instance in the report. */
export interface InstanceReport {
  /** `host:port` the balancer dials. */
  readonly id: string;
  readonly state: InstanceState;
  /** Client connections open through the balancer to it. */
  readonly connections: number;
  /** The instance name from its `/readyz`, or `null` before it gave one. */
  readonly server: string | null;
  /** ISO 8601 time of its last finished readiness probe. */
  readonly lastCheckAt: string | null;
  /** ISO 8601 time it last turned up; `null` while it is not up. */
  readonly upSince: string | null;
  /**
   * Messages it accepted per second, between its last two answers;
   * `null` while that is not known (down, or a single answer so far).
   */
  readonly messagesPerSecond: number | null;
  /** Message frames it sent to its members per second; as above. */
  readonly deliveriesPerSecond: number | null;
  /** Whole seconds its process has run, from its last answer, or `null`. */
  readonly uptimeSeconds: number | null;
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
  /** Whether the demo switch (stop and start an instance) is on. */
  readonly demo: boolean;
  readonly instances: InstanceReport[];
}

/** What the demo switch can do to an instance. */
export type DemoAction = 'stop' | 'start';

/** The demo switch's path for one instance and action. */
export function demoActionPath(instance: string, action: DemoAction): string {
  return `${CLUSTER_PATH}/instances/${encodeURIComponent(instance)}/${action}`;
}

/** Stable codes in the `error` field of the demo switch's refusals. */
export const DemoErrorCode = {
  /** The balancer runs without `DEMO=1`. */
  DemoOff: 'demo_off',
  /** The request came from an address other than loopback. */
  NotLoopback: 'not_loopback',
  /** A browser page of another origin, or a non-loopback `Host`, asked. */
  ForeignOrigin: 'foreign_origin',
  /** No configured instance has that name. */
  UnknownInstance: 'unknown_instance',
  /** The balancer is not run by PM2, so nobody can stop or start. */
  NotUnderPm2: 'not_under_pm2',
  /** PM2 refused or failed the action. */
  Pm2Failed: 'pm2_failed',
} as const;

export type DemoErrorCodeName =
  (typeof DemoErrorCode)[keyof typeof DemoErrorCode];
