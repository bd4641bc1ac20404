import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

import type { ChatMessage } from '../protocol/index.js';
import {
  CONVERSATION_PREFIX,
  DuplicateIdError,
  type AppendResult,
  type ChatStore,
  type Conversation,
  type NewMessage,
  type NickClaim,
  type StoredConversation,
  type StoredRoom,
} from './chat-store.js';
import { CommitQueue } from './commit-queue.js';
import { conversationOf, type ConversationRow } from './conversation-row.js';
import { isBusy, whenNotBusy } from './sqlite-busy.js';
import { sqliteMigrations } from './sqlite-migrations.js';

type Row = ChatMessage;

/** A nickname claim waiting for its turn's transaction. */
interface ClaimRequest {
  claim: NickClaim;
  ttlMs: number;
}

/** Tries to open a new database file that another process is opening. */
const OPEN_ATTEMPTS = 10;

/**
 * The default store: one SQLite file in WAL mode, shared by every gateway
 * process on the machine. SQLite serialises writers, and appends commit in
 * IMMEDIATE transactions that take the write lock before they read the
 * room's counter, so two processes can never hand out the same seq. The
 * appends of one batch of I/O share a transaction (see CommitQueue), and a
 * lock held by another process is waited for without blocking the event
 * loop (see whenNotBusy).
 */
export class SqliteStore implements ChatStore {
  private db: Database.Database | undefined;
  private statements: ReturnType<SqliteStore['prepare']> | undefined;
  private readonly appends = new CommitQueue<NewMessage, AppendResult>(
    (messages) => this.transaction(() => messages.map((m) => this.store(m))),
  );
  private readonly nickClaims = new CommitQueue<ClaimRequest, boolean>(
    (requests) => this.claimAll(requests),
  );

  constructor(private readonly path: string) {}

  get ready(): boolean {
    return this.db?.open ?? false;
  }

  /**
   * Opens the file, switches it to WAL and migrates it. Two gateways that
   * start together on a new file can still find it locked: SQLite answers
   * some lock upgrades (the switch to WAL among them) with SQLITE_BUSY at
   * once, without waiting out busy_timeout. So the whole opening is tried
   * again a few times before the start fails.
   */
  async open(): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });

    for (let attempt = 1; ; attempt++) {
      try {
        this.db = this.openOnce();
        this.statements = this.prepare(this.db);
        return;
      } catch (err) {
        if (!isBusy(err) || attempt >= OPEN_ATTEMPTS) {
          throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  private openOnce(): Database.Database {
    const db = new Database(this.path);
    try {
      // Writers from the other instances hold the lock for microseconds;
      // waiting beats failing a user's send.
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      this.migrate(db);
      // From here on a busy lock is waited for by whenNotBusy, between two
      // turns of the event loop, not by SQLite inside the call.
      db.pragma('busy_timeout = 0');
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.statements = undefined;

    return Promise.resolve();
  }

  append(message: NewMessage): Promise<AppendResult> {
    return this.appends.add(message);
  }

  /**
   * One append inside a group's transaction. A refused id is that
   * message's answer alone, so it is returned, not thrown.
   */
  private store(message: NewMessage): AppendResult | DuplicateIdError {
    const s = this.use();

    const existing = s.byId.get(message.room, message.id) as Row | undefined;
    if (existing) {
      if (existing.nick !== message.nick) {
        return new DuplicateIdError(message.room, message.id);
      }
      return { message: existing, duplicate: true };
    }

    const at = new Date().toISOString();
    s.createRoom.run(message.room, at);
    const { last_seq: seq } = s.bumpSeq.get(message.room) as {
      last_seq: number;
    };

    const stored: ChatMessage = {
      room: message.room,
      seq,
      id: message.id,
      nick: message.nick,
      text: message.text,
      at,
      server: message.server,
    };
    s.insert.run(stored);
    return { message: stored, duplicate: false };
  }

  latest(room: string, limit: number): Promise<ChatMessage[]> {
    return whenNotBusy(() =>
      (this.use().latest.all(room, limit) as Row[]).reverse(),
    );
  }

  after(room: string, after: number, limit: number): Promise<ChatMessage[]> {
    return whenNotBusy(() => this.use().after.all(room, after, limit) as Row[]);
  }

  headSeq(room: string): Promise<number> {
    return whenNotBusy(() => {
      const row = this.use().head.get(room) as { last_seq: number } | undefined;
      return row?.last_seq ?? 0;
    });
  }

  rooms(limit: number): Promise<StoredRoom[]> {
    return whenNotBusy(() => this.use().rooms.all(limit) as StoredRoom[]);
  }

  openConversation(conversation: Conversation): Promise<void> {
    const { holders, nicks } = conversation;

    return whenNotBusy(() => {
      this.use().openConversation.run(
        conversation.conversation,
        holders[0],
        holders[1],
        nicks[0],
        nicks[1],
        new Date().toISOString(),
      );
    });
  }

  conversation(id: string): Promise<Conversation | null> {
    return whenNotBusy(() => {
      const row = this.use().conversation.get(id) as
        ConversationRow | undefined;
      return row ? conversationOf(row) : null;
    });
  }

  conversations(holder: string, limit: number): Promise<StoredConversation[]> {
    return whenNotBusy(() => {
      const rows = this.use().conversations.all(
        holder,
        holder,
        limit,
      ) as (ConversationRow & {
        last_seq: number | null;
        last_at: string | null;
      })[];

      return rows.map((row) => ({
        ...conversationOf(row),
        lastSeq: row.last_seq ?? 0,
        lastAt: row.last_at,
      }));
    });
  }

  claimNick(claim: NickClaim, ttlMs: number): Promise<boolean> {
    return this.nickClaims.add({ claim, ttlMs });
  }

  /** Decides a batch's claims in one transaction, each in turn. */
  private claimAll(requests: ClaimRequest[]): boolean[] {
    const s = this.use();
    const now = Date.now();

    return this.transaction(() =>
      requests.map(({ claim, ttlMs }) => {
        const row = s.claimOf.get(claim.room, claim.key) as
          { holder: string; expires_at: number } | undefined;
        if (row && row.holder !== claim.holder && row.expires_at > now) {
          return false;
        }

        s.upsertClaim.run({ ...claim, expiresAt: now + ttlMs });
        return true;
      }),
    );
  }

  renewNicks(claims: NickClaim[], ttlMs: number): Promise<void> {
    return whenNotBusy(() => {
      const s = this.use();
      const now = Date.now();
      const expiresAt = now + ttlMs;

      this.transaction(() => {
        for (const claim of claims) {
          const renewed = s.renewClaim.run({ ...claim, expiresAt });
          if (renewed.changes === 0) {
            s.insertClaim.run({ ...claim, expiresAt, now });
          }
        }
      });
    });
  }

  releaseNick(claim: NickClaim): Promise<void> {
    return whenNotBusy(() => {
      this.use().releaseClaim.run(claim);
    });
  }

  private transaction<T>(fn: () => T): T {
    const db = this.db;
    if (!db) {
      throw new Error('The store is closed');
    }

    return db.transaction(fn).immediate();
  }

  private use(): NonNullable<SqliteStore['statements']> {
    if (!this.statements) {
      throw new Error('The store is closed');
    }

    return this.statements;
  }

  private migrate(db: Database.Database): void {
    // IMMEDIATE takes the write lock first, so that two instances starting
    // at once apply each version exactly once.
    db.transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      for (const [index, sql] of sqliteMigrations.entries()) {
        if (index >= version) {
          db.exec(sql);
        }
      }
      db.pragma(`user_version = ${sqliteMigrations.length}`);
    }).immediate();
  }

  private prepare(db: Database.Database) {
    const columns = 'room, seq, id, nick, text, at, server';

    return {
      byId: db.prepare(
        `SELECT ${columns} FROM messages WHERE room = ? AND id = ?`,
      ),
      createRoom: db.prepare(
        'INSERT INTO rooms (name, created_at) VALUES (?, ?) ' +
          'ON CONFLICT (name) DO NOTHING',
      ),
      bumpSeq: db.prepare(
        'UPDATE rooms SET last_seq = last_seq + 1 WHERE name = ? ' +
          'RETURNING last_seq',
      ),
      insert: db.prepare(
        `INSERT INTO messages (${columns}) ` +
          'VALUES (@room, @seq, @id, @nick, @text, @at, @server)',
      ),
      latest: db.prepare(
        `SELECT ${columns} FROM messages WHERE room = ? ` +
          'ORDER BY seq DESC LIMIT ?',
      ),
      after: db.prepare(
        `SELECT ${columns} FROM messages WHERE room = ? AND seq > ? ` +
          'ORDER BY seq LIMIT ?',
      ),
      head: db.prepare('SELECT last_seq FROM rooms WHERE name = ?'),
      rooms: db.prepare(
        'SELECT r.name AS room, r.last_seq AS lastSeq, m.at AS lastAt ' +
          'FROM rooms r LEFT JOIN messages m ' +
          'ON m.room = r.name AND m.seq = r.last_seq ' +
          `WHERE substr(r.name, 1, 1) <> '${CONVERSATION_PREFIX}' ` +
          'ORDER BY m.at IS NULL, m.at DESC LIMIT ?',
      ),
      openConversation: db.prepare(
        'INSERT INTO conversations ' +
          '(id, holder_a, holder_b, nick_a, nick_b, created_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET ' +
          'nick_a = excluded.nick_a, nick_b = excluded.nick_b',
      ),
      conversation: db.prepare(
        'SELECT id, holder_a, holder_b, nick_a, nick_b ' +
          'FROM conversations WHERE id = ?',
      ),
      conversations: db.prepare(
        'SELECT c.id, c.holder_a, c.holder_b, c.nick_a, c.nick_b, ' +
          'r.last_seq, m.at AS last_at FROM conversations c ' +
          'LEFT JOIN rooms r ON r.name = c.id ' +
          'LEFT JOIN messages m ON m.room = c.id AND m.seq = r.last_seq ' +
          'WHERE c.holder_a = ? OR c.holder_b = ? ' +
          'ORDER BY m.at IS NULL, m.at DESC LIMIT ?',
      ),
      claimOf: db.prepare(
        'SELECT holder, expires_at FROM nick_claims WHERE room = ? AND key = ?',
      ),
      upsertClaim: db.prepare(
        'INSERT INTO nick_claims (room, key, holder, expires_at) ' +
          'VALUES (@room, @key, @holder, @expiresAt) ' +
          'ON CONFLICT (room, key) DO UPDATE SET ' +
          'holder = excluded.holder, expires_at = excluded.expires_at',
      ),
      renewClaim: db.prepare(
        'UPDATE nick_claims SET expires_at = @expiresAt ' +
          'WHERE room = @room AND key = @key AND holder = @holder',
      ),
      // Taken again only where nobody else holds a live claim.
      insertClaim: db.prepare(
        'INSERT INTO nick_claims (room, key, holder, expires_at) ' +
          'VALUES (@room, @key, @holder, @expiresAt) ' +
          'ON CONFLICT (room, key) DO UPDATE SET ' +
          'holder = excluded.holder, expires_at = excluded.expires_at ' +
          'WHERE nick_claims.expires_at <= @now',
      ),
      releaseClaim: db.prepare(
        'DELETE FROM nick_claims ' +
          'WHERE room = @room AND key = @key AND holder = @holder',
      ),
    };
  }
}
