import type { Conversation } from './chat-store.js';

/** A conversation as both SQL stores keep it: one row, two sides. */
export interface ConversationRow {
  id: string;
  holder_a: string;
  holder_b: string;
  nick_a: string;
  nick_b: string;
}

export function conversationOf(row: ConversationRow): Conversation {
  return {
    conversation: row.id,
    holders: [row.holder_a, row.holder_b],
    nicks: [row.nick_a, row.nick_b],
  };
}
