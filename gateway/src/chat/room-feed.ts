import type { ChatMessage } from '../protocol/index.js';
import { RoomSequencer, type SequencerSink } from './room-sequencer.js';

/**
 * This instance's subscription to one room: the bus subscription and the
 * sequencer that orders what arrives. It outlives its last member by a
 * grace period, so that a user who reconnects at once finds it warm.
 */
export class RoomFeed {
  private sequencer: RoomSequencer | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly room: string) {}

  /** Starts ordering from `head`, the store's latest seq at subscription. */
  open(head: number, holdbackMs: number, sink: SequencerSink): void {
    this.sequencer = new RoomSequencer(head, holdbackMs, sink);
  }

  get isOpen(): boolean {
    return this.sequencer !== undefined;
  }

  offer(message: ChatMessage): void {
    this.sequencer?.offer(message);
  }

  /** Reads whatever the bus may have missed from the store. */
  fill(): Promise<void> {
    return this.sequencer?.fill() ?? Promise.resolve();
  }

  /** Runs `dispose` after `ms` unless a member comes back first. */
  idle(ms: number, dispose: () => void): void {
    this.busy();
    this.idleTimer = setTimeout(dispose, ms);
  }

  busy(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  close(): void {
    this.busy();
    this.sequencer?.dispose();
    this.sequencer = undefined;
  }
}
