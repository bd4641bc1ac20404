import type { PostgresMigration } from './postgres-migration.js';

/**
 * Direct conversations: the two session holders each belongs to, in
 * ascending order. Their messages live in `messages` under the id, with
 * a `rooms` row as their seq counter.
 */
export const conversations: PostgresMigration = {
  version: 3,
  name: 'direct conversations',
  sql: `
    CREATE TABLE conversations (
      id         text PRIMARY KEY,
      holder_a   text NOT NULL,
      holder_b   text NOT NULL,
      nick_a     text NOT NULL,
      nick_b     text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE INDEX conversations_holder_a ON conversations (holder_a);
    CREATE INDEX conversations_holder_b ON conversations (holder_b);
  `,
};
