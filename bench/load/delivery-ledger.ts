/**
 * Which messages of one step one client has received: a bitmap per sender,
 * indexed by the sender's message number. A second copy is a duplicate.
 */
export class DeliveryLedger {
  private readonly seen = new Map<number, Uint8Array>();

  /** Marks a message received; false when it was received before. */
  mark(sender: number, n: number): boolean {
    let bits = this.seen.get(sender);
    if (!bits || bits.length <= n) {
      const grown = new Uint8Array(Math.max(64, (n + 1) * 2));
      if (bits) {
        grown.set(bits);
      }
      bits = grown;
      this.seen.set(sender, bits);
    }

    if (bits[n] === 1) {
      return false;
    }

    bits[n] = 1;
    return true;
  }
}
