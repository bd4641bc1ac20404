import type { Upstream } from './upstream.js';

type LeasePhase = 'pending' | 'open' | 'released';

/**
 * One client connection's claim on an upstream. It is counted as pending
 * from the moment the upstream is picked, as open once the upgrade has
 * completed, and given back exactly once however many close and error
 * events arrive afterwards.
 */
export class UpstreamLease {
  private phase: LeasePhase = 'pending';

  constructor(readonly upstream: Upstream) {
    upstream.pendingConnections += 1;
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  /** Records that the upstream answered 101 and bytes now flow. */
  markOpen(): void {
    if (this.phase !== 'pending') return;

    this.upstream.pendingConnections -= 1;
    this.upstream.openConnections += 1;
    this.phase = 'open';
  }

  /** Gives the connection back; later calls do nothing. */
  release(): void {
    if (this.phase === 'pending') this.upstream.pendingConnections -= 1;
    if (this.phase === 'open') this.upstream.openConnections -= 1;
    this.phase = 'released';
  }
}
