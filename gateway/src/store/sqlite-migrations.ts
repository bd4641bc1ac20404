/**
 * The SQLite schema, one entry per version. A database records the version
 * it has reached in `PRAGMA user_version`; the store applies the entries past
 * it, in order, each in one transaction. Never edit an entry once released:
 * add the next one.
 */
export const sqliteMigrations: readonly string[] = [
  `
  CREATE TABLE rooms (
    name       TEXT PRIMARY KEY,
    last_seq   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE messages (
    room   TEXT NOT NULL REFERENCES rooms (name),
    seq    INTEGER NOT NULL,
    id     TEXT NOT NULL,
    nick   TEXT NOT NULL,
    text   TEXT NOT NULL,
    at     TEXT NOT NULL,
    server TEXT NOT NULL,
    PRIMARY KEY (room, seq),
    UNIQUE (room, id)
  ) STRICT;
  `,
  `
  CREATE TABLE nick_claims (
    room       TEXT NOT NULL,
    key        TEXT NOT NULL,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (room, key)
  ) STRICT;
  `,
  `
  CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    holder_a   TEXT NOT NULL,
    holder_b   TEXT NOT NULL,
    nick_a     TEXT NOT NULL,
    nick_b     TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE INDEX conversations_holder_a ON conversations (holder_a);
  CREATE INDEX conversations_holder_b ON conversations (holder_b);
  `,
];
