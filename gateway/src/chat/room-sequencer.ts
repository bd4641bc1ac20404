import type { ChatMessage } from '../protocol/index.js';

/** Messages read from the store per fill query. */
const FILL_PAGE = 500;

/** What a sequencer needs from its owner. */
export interface SequencerSink {
  /** Called once per seq, in seq order. */
  deliver(message: ChatMessage): void;
  /** Reads the room's messages after a seq from the store. */
  fill(after: number, limit: number): Promise<ChatMessage[]>;
  /** A fill failed; the sequencer will try again on the next message. */
  fillFailed(err: unknown): void;
}

/**
 * Puts one room's messages in seq order on one instance. Messages accepted
 * by different instances cross the bus in publish order, which is not seq
 * order, and the bus may drop some. A message whose predecessor is missing
 * waits for at most `holdbackMs`; then the gap is read from the store. A
 * seq at or below the head was delivered already and is dropped, which is
 * what makes delivery exactly once.
 */
export class RoomSequencer {
  private readonly waiting = new Map<number, ChatMessage>();
  private timer: NodeJS.Timeout | undefined;
  private filling = false;
  private again = false;

  constructor(
    private head: number,
    private readonly holdbackMs: number,
    private readonly sink: SequencerSink,
  ) {}

  /** Seq of the last message delivered. */
  get delivered(): number {
    return this.head;
  }

  offer(message: ChatMessage): void {
    if (message.seq <= this.head || this.waiting.has(message.seq)) {
      return;
    }

    this.waiting.set(message.seq, message);
    this.drain();

    if (this.waiting.size > 0) {
      this.timer ??= setTimeout(() => void this.fill(), this.holdbackMs);
    }
  }

  /** Reads from the store whatever came after the head, now. */
  async fill(): Promise<void> {
    this.clearTimer();
    if (this.filling) {
      // A fill is reading already; make it read once more when it is done,
      // because whoever asked may know of messages stored after its query.
      this.again = true;
      return;
    }

    this.filling = true;
    try {
      // The store is gapless, so reading on from the head closes every gap;
      // a full page means there may be more.
      for (;;) {
        this.again = false;
        const page = await this.sink.fill(this.head, FILL_PAGE);
        for (const message of page) {
          this.offer(message);
        }
        if (page.length < FILL_PAGE && !this.again) {
          break;
        }
      }
    } catch (err) {
      this.sink.fillFailed(err);
    } finally {
      this.filling = false;
    }

    if (this.waiting.size > 0) {
      this.timer ??= setTimeout(() => void this.fill(), this.holdbackMs);
    }
  }

  /** Stops the timer; the sequencer is not used after this. */
  dispose(): void {
    this.clearTimer();
    this.waiting.clear();
  }

  private drain(): void {
    let next = this.waiting.get(this.head + 1);
    while (next) {
      this.waiting.delete(next.seq);
      this.head = next.seq;
      this.sink.deliver(next);
      next = this.waiting.get(this.head + 1);
    }

    if (this.waiting.size === 0) {
      this.clearTimer();
    }
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
