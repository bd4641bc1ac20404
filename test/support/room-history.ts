import type { ChatMessage } from '../../gateway/src/protocol/index.js';
import { TestClient } from './test-client.js';

/**
 * Reads a room's whole history as the store holds it, through a fresh
 * connection's `resume` pages.
 */
export async function readRoomHistory(
  url: string,
  room: string,
): Promise<ChatMessage[]> {
  const client = await TestClient.connect(url);
  try {
    client.send('join', { room, nick: `reader-${Date.now()}` });
    await client.waitFor('joined');

    const messages: ChatMessage[] = [];
    for (let page = 0; ; page++) {
      const after = messages.at(-1)?.seq ?? 0;
      client.send('resume', { room, after });
      const history = await client.waitFor(
        'history',
        (h) => (h.messages[0]?.seq ?? after + 1) === after + 1,
      );
      messages.push(...history.messages);
      if (history.messages.length < 500 || page > 100) {
        return messages;
      }
      client.frames.length = 0;
    }
  } finally {
    await client.close();
  }
}
