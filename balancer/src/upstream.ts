/** Where a gateway instance listens. */
export interface UpstreamAddress {
  readonly host: string;
  readonly port: number;
}

import type { InstanceState } from '../../gateway/src/protocol/index.js';
import { TrafficMeter, type TrafficRates } from './traffic-meter.js';

/**
 * Health of an upstream. `unknown` lasts until the first readiness probe
 * answers; `draining` is a gateway shutting down; only `up` is ever picked.
 */
export type UpstreamState = InstanceState;

/** A read-only view of an upstream, for `/healthz`, `/api/cluster`, tests. */
export interface UpstreamStatus {
  readonly id: string;
  readonly state: UpstreamState;
  readonly openConnections: number;
  /** Connections whose upgrade is under way. */
  readonly pendingConnections: number;
  /** The instance name its `/readyz` last gave, if it ever gave one. */
  readonly server: string | null;
  /** When its last readiness probe finished, in epoch ms. */
  readonly lastCheckAt: number | null;
  /** When it last turned `up`, in epoch ms; `null` while it is not up. */
  readonly upSince: number | null;
  /** Its traffic between its last two answers; `null` while unknown. */
  readonly rates: TrafficRates | null;
  /** Seconds its process had run at its last answer; `null` while down. */
  readonly uptimeSeconds: number | null;
}

/**
 * One gateway instance as the balancer sees it: its address, its health and
 * how many client connections go through it.
 */
export class Upstream implements UpstreamAddress {
  readonly id: string;

  state: UpstreamState = 'unknown';

  /** Connections whose WebSocket upgrade has completed and not yet closed. */
  openConnections = 0;

  /** Connections picked for this upstream whose upgrade is under way. */
  pendingConnections = 0;

  server: string | null = null;

  lastCheckAt: number | null = null;

  upSince: number | null = null;

  uptimeSeconds: number | null = null;

  /** Rates from the running totals its readiness answers carry. */
  readonly traffic = new TrafficMeter();

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    this.id = formatAddress(host, port);
  }

  /**
   * What picking compares. Pending connections count too: a burst of
   * upgrades would otherwise all land on the upstream that looked idlest
   * before any of them had completed.
   */
  get load(): number {
    return this.openConnections + this.pendingConnections;
  }

  status(): UpstreamStatus {
    return {
      id: this.id,
      state: this.state,
      openConnections: this.openConnections,
      pendingConnections: this.pendingConnections,
      server: this.server,
      lastCheckAt: this.lastCheckAt,
      upSince: this.upSince,
      rates: this.traffic.rates,
      uptimeSeconds: this.uptimeSeconds,
    };
  }
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
