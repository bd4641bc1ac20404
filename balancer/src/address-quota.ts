/** One connection's place in its address's count. */
export interface AddressClaim {
  readonly address: string;
  /** Gives the place back; later calls do nothing. */
  release(): void;
}

/**
 * Caps the connections one client address holds at once. A claim is taken
 * when an upgrade is accepted, before any gateway is dialled, so a burst
 * of handshakes from one address cannot get past the cap while none has
 * completed yet.
 */
export class AddressQuota {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxPerAddress: number) {}

  /** Takes a place for `address`, or returns `undefined` when it is full. */
  claim(address: string): AddressClaim | undefined {
    const count = this.countOf(address);
    if (count >= this.maxPerAddress) return undefined;

    this.counts.set(address, count + 1);

    let released = false;
    return {
      address,
      release: () => {
        if (released) return;

        released = true;
        this.giveBack(address);
      },
    };
  }

  /** Connections `address` holds now. */
  countOf(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  /** Addresses holding at least one connection. */
  get addressCount(): number {
    return this.counts.size;
  }

  private giveBack(address: string): void {
    const count = this.countOf(address) - 1;

    // An address with nothing open leaves the map, so the map grows with
    // the clients connected now and not with every client ever seen.
    if (count <= 0) this.counts.delete(address);
    else this.counts.set(address, count);
  }
}
