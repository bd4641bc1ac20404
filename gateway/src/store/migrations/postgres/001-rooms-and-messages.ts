import type { PostgresMigration } from './postgres-migration.js';

/**
 * Rooms with their seq counter, and messages. The counter row is what
 * serialises the writers of one room: an append locks it with its UPDATE,
 * so commit order is seq order and no seq is skipped or repeated.
 */
export const roomsAndMessages: PostgresMigration = {
  version: 1,
  name: 'rooms and messages',
  sql: `
    CREATE TABLE rooms (
      name       text PRIMARY KEY,
      last_seq   bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE messages (
      room   text NOT NULL REFERENCES rooms (name),
      seq    bigint NOT NULL,
      id     text NOT NULL,
      nick   text NOT NULL,
      text   text NOT NULL,
      at     timestamptz NOT NULL,
      server text NOT NULL,
      PRIMARY KEY (room, seq),
      UNIQUE (room, id)
    );
  `,
};
