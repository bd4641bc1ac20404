import type { PostgresMigration } from './postgres-migration.js';

/**
 * Nickname claims: who holds which nickname in a room, until when. The
 * primary key makes a claim atomic across every gateway.
 */
export const nickClaims: PostgresMigration = {
  version: 2,
  name: 'nickname claims',
  sql: `
    CREATE TABLE nick_claims (
      room       text NOT NULL,
      key        text NOT NULL,
      holder     text NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (room, key)
    );
  `,
};
