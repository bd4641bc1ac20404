import { roomsAndMessages } from './migrations/postgres/001-rooms-and-messages.js';
import { nickClaims } from './migrations/postgres/002-nick-claims.js';
import { conversations } from './migrations/postgres/003-conversations.js';
import type { PostgresMigration } from './migrations/postgres/postgres-migration.js';

/**
 * The PostgreSQL schema, version after version. Never edit a released
 * version: add the next file under `migrations/postgres/` and list it here.
 */
export const postgresMigrations: readonly PostgresMigration[] = [
  roomsAndMessages,
  nickClaims,
  conversations,
];
