import type { ErrorData } from '$protocol';
import { newMessageId } from './message-id';

/**
 * `pending`: not acknowledged yet, sent again after a reconnect.
 * `accepted`: acknowledged with a seq, waiting for its `message` frame.
 * `failed`: refused for good; shown until the user discards it.
 */
export type OutboxStatus = 'pending' | 'accepted' | 'failed';

/** A message this tab sent that is not in the timeline yet. */
export interface OutboxEntry {
  readonly id: string;
  readonly room: string;
  readonly text: string;
  readonly status: OutboxStatus;
  readonly seq: number | null;
  /** How often the gateway answered "try again" for it. */
  readonly retries: number;
  readonly error: ErrorData | null;
}

/**
 * Sends that the timeline does not hold yet, in the order they were
 * written. An entry leaves when its message reaches the timeline, whether
 * through the live `message` frame or a `resume` reply.
 */
export class Outbox {
  /** Replaced on every change, so that components can key by id. */
  entries: readonly OutboxEntry[] = $state.raw([]);

  /** Queues a new message and returns its entry. */
  add(room: string, text: string): OutboxEntry {
    const entry: OutboxEntry = {
      id: newMessageId(),
      room,
      text,
      status: 'pending',
      seq: null,
      retries: 0,
      error: null,
    };
    this.entries = [...this.entries, entry];

    return entry;
  }

  /** The entry with this id, if any. */
  find(id: string): OutboxEntry | undefined {
    return this.entries.find((entry) => entry.id === id);
  }

  /** The entries of a room still waiting for an ack, oldest first. */
  unacknowledged(room: string): OutboxEntry[] {
    return this.entries.filter(
      (entry) => entry.room === room && entry.status === 'pending',
    );
  }

  /** Records the gateway's ack. */
  accept(id: string, seq: number): void {
    this.#update(id, { status: 'accepted', seq });
  }

  /** Counts a retryable refusal; the entry stays pending. */
  countRetry(id: string): void {
    const entry = this.find(id);
    if (entry) this.#update(id, { retries: entry.retries + 1 });
  }

  /** Marks an entry refused for good. */
  fail(id: string, error: ErrorData): void {
    this.#update(id, { status: 'failed', error });
  }

  /** Drops the entries with these ids (delivered, or discarded). */
  remove(ids: readonly string[]): void {
    const kept = this.entries.filter((entry) => !ids.includes(entry.id));
    if (kept.length !== this.entries.length) this.entries = kept;
  }

  /** Drops every entry of a room the user left. */
  removeRoom(room: string): void {
    this.entries = this.entries.filter((entry) => entry.room !== room);
  }

  #update(id: string, change: Partial<OutboxEntry>): void {
    this.entries = this.entries.map((entry) =>
      entry.id === id ? { ...entry, ...change } : entry,
    );
  }
}
