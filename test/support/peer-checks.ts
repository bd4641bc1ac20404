import { expect } from '@jest/globals';

import type { ChatMessage } from '../../gateway/src/protocol/index.js';
import type { ChatPeer } from './chat-peer.js';
import { waitUntil } from './wait-until.js';

/**
 * Waits until every peer has sent everything and holds the whole history,
 * then checks that each peer's view is the store's: every acknowledged
 * message present exactly once, seqs 1..N in order, nothing else.
 */
export async function expectPeersMatchStore(
  peers: ChatPeer[],
  readHistory: () => Promise<ChatMessage[]>,
): Promise<ChatMessage[]> {
  await waitUntil(
    'every outbox to drain',
    () => (peers.every((peer) => peer.pending === 0) ? true : undefined),
    20_000,
  );
  const history = await readHistory();

  expect(history.map((m) => m.seq)).toEqual(
    Array.from({ length: history.length }, (_, i) => i + 1),
  );
  const ids = history.map((m) => m.id);
  expect(new Set(ids).size).toBe(ids.length);

  const stored = new Map(history.map((m) => [m.id, m.seq]));
  for (const peer of peers) {
    for (const [id, seq] of peer.acked) {
      expect([id, stored.get(id)]).toEqual([id, seq]);
    }
  }

  await waitUntil(
    'every peer to hold the whole history',
    () =>
      peers.every((peer) => peer.contiguous >= history.length)
        ? true
        : undefined,
    20_000,
  );
  for (const peer of peers) {
    const view = [...peer.messages.values()].sort((a, b) => a.seq - b.seq);
    expect(view.map((m) => [m.seq, m.id])).toEqual(
      history.map((m) => [m.seq, m.id]),
    );
  }

  return history;
}
