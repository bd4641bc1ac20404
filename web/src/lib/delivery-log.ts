/** Entries kept for each kind; the oldest go first. */
const MAX_ENTRIES = 1000;

/**
 * When this tab sent its own messages and when live message frames
 * reached it, by the tab's clock, for the path view. Not reactive: it is
 * read when a path is opened, long after the times were written.
 */
export class DeliveryLog {
  readonly #sentAt = new Map<string, number>();
  readonly #receivedAt = new Map<string, number>();

  /**
   * Notes the first transmission of a message id. A resend after a lost
   * ack keeps the first time: the wait is part of the message's path.
   */
  sent(id: string, at: number): void {
    if (this.#sentAt.has(id)) return;

    remember(this.#sentAt, id, at);
  }

  /** Notes that the live frame of `room`'s message `seq` arrived. */
  received(room: string, seq: number, at: number): void {
    remember(this.#receivedAt, receiptKey(room, seq), at);
  }

  /** When this tab first sent the message `id`, if it did. */
  sentAt(id: string): number | undefined {
    return this.#sentAt.get(id);
  }

  /** When the live frame arrived; `undefined` if it came in a history. */
  receivedAt(room: string, seq: number): number | undefined {
    return this.#receivedAt.get(receiptKey(room, seq));
  }
}

function receiptKey(room: string, seq: number): string {
  return `${room}\u0000${seq}`;
}

function remember(map: Map<string, number>, key: string, at: number): void {
  map.set(key, at);

  // Maps iterate in insertion order: the first key is the oldest.
  if (map.size > MAX_ENTRIES) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
