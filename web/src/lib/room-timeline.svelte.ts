import type { ChatMessage } from '$protocol';

/**
 * The messages of one room as this tab has seen them: each seq once, in seq
 * order, whichever way it arrived (the `joined` history, a live `message`,
 * a `resume` reply) and however often.
 */
export class RoomTimeline {
  readonly room: string;

  /** Held messages in ascending seq order; replaced, never mutated. */
  messages: readonly ChatMessage[] = $state.raw([]);

  /**
   * The highest seq up to which nothing is missing, counted from the start
   * of the first history (older messages were never asked for).
   */
  contiguousSeq = $state(0);

  // Lookup indexes beside `messages`, which is what views read: making
  // them reactive would only add work.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #seqs = new Set<number>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #ids = new Set<string>();

  /**
   * Starts from the history a `joined` reply carried. An empty history
   * means an empty room, so a first live message above seq 1 is a gap.
   */
  constructor(room: string, history: readonly ChatMessage[]) {
    this.room = room;
    const seqs = history.map((message) => message.seq);
    this.contiguousSeq = seqs.length === 0 ? 0 : Math.min(...seqs) - 1;
    this.merge(history);
  }

  /** The highest seq held, or 0. */
  get lastSeq(): number {
    return this.messages.at(-1)?.seq ?? 0;
  }

  /** Whether a message above {@link contiguousSeq} is held: a hole. */
  get hasGap(): boolean {
    return this.lastSeq > this.contiguousSeq;
  }

  /** Whether a message with this client id is held. */
  holdsId(id: string): boolean {
    return this.#ids.has(id);
  }

  /**
   * Adds the messages not yet held. Returns the ones that were new, so
   * that the caller can settle its outbox.
   */
  merge(incoming: readonly ChatMessage[]): ChatMessage[] {
    const fresh: ChatMessage[] = [];
    for (const message of incoming) {
      if (message.room !== this.room || this.#seqs.has(message.seq)) continue;

      this.#seqs.add(message.seq);
      this.#ids.add(message.id);
      fresh.push(message);
    }

    if (fresh.length === 0) return fresh;

    this.messages = inSeqOrder(this.messages, fresh);
    this.#advanceContiguous();

    return fresh;
  }

  #advanceContiguous(): void {
    let seq = this.contiguousSeq;
    while (this.#seqs.has(seq + 1)) seq += 1;

    this.contiguousSeq = seq;
  }
}

/**
 * `held` followed by `fresh`, sorted by seq. The usual case, fresh messages
 * all newer and in order, skips the sort.
 */
function inSeqOrder(
  held: readonly ChatMessage[],
  fresh: ChatMessage[],
): ChatMessage[] {
  const combined = [...held, ...fresh];
  let ordered = true;
  for (let i = Math.max(1, held.length); i < combined.length; i += 1) {
    if (combined[i - 1].seq > combined[i].seq) {
      ordered = false;
      break;
    }
  }

  return ordered ? combined : combined.sort((a, b) => a.seq - b.seq);
}
