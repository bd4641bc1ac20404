import pg from 'pg';

import { redactedUrl } from '../config/redacted-url.js';
import type { Logger } from '../logging/logger.js';
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
import { conversationOf, type ConversationRow } from './conversation-row.js';
import { postgresMigrations } from './postgres-migrations.js';
import { migratePostgres } from './postgres-migrator.js';

/** How often the pool is checked, so that /readyz follows the database. */
const PROBE_INTERVAL_MS = 1000;

/** Connections one gateway holds at most. */
const POOL_SIZE = 10;

/** A message row as node-postgres returns it: int8 as text, a Date. */
interface MessageRow {
  room: string;
  seq: string;
  id: string;
  nick: string;
  text: string;
  at: Date;
  server: string;
}

const COLUMNS = 'room, seq, id, nick, text, at, server';

function toMessage(row: MessageRow): ChatMessage {
  return {
    room: row.room,
    // A room would need 2^53 messages to lose precision here.
    seq: Number(row.seq),
    id: row.id,
    nick: row.nick,
    text: row.text,
    at: row.at.toISOString(),
    server: row.server,
  };
}

/**
 * Whether an error says the database cannot be reached, as opposed to a
 * statement it refused. SQLSTATE classes 08 (connection), 53 (resources)
 * and 57 (operator intervention, e.g. a shutdown); no code at all is a
 * socket error or a timeout of the driver.
 */
function isUnreachable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) {
    return true;
  }

  return ['08', '53', '57'].includes(code.slice(0, 2));
}

/**
 * The store on a PostgreSQL database shared by gateways on any number of
 * hosts, through a connection pool. Each append runs in one transaction
 * that bumps the room's counter row first: the row lock makes the writers
 * of a room take turns, so seqs are handed out in commit order with no gap,
 * whichever gateway writes.
 */
export class PostgresStore implements ChatStore {
  private pool: pg.Pool | undefined;
  private healthy = false;
  private probe: NodeJS.Timeout | undefined;
  private probing = false;
  private readonly shownUrl: string;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {
    this.shownUrl = redactedUrl(url);
  }

  get ready(): boolean {
    return this.pool !== undefined && this.healthy;
  }

  async open(): Promise<void> {
    const pool = new pg.Pool({
      connectionString: this.url,
      max: POOL_SIZE,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      // Client-side bound on every statement, lock waits included.
      query_timeout: 10_000,
      application_name: 'chat-gateway',
    });
    // An idle client whose connection dies is reported here; without a
    // listener the error would end the process. The error carries the
    // client, whose parameters hold the password: log its code only.
    pool.on('error', (err: Error & { code?: string }) => {
      if (this.pool !== pool) {
        return;
      }
      this.logger.warn(
        { code: err.code, reason: err.message, store: this.shownUrl },
        'lost a database connection',
      );
      this.setHealthy(false);
    });

    try {
      await migratePostgres(pool, postgresMigrations, this.logger);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }

    this.pool = pool;
    this.setHealthy(true);
    this.probe = setInterval(() => void this.check(), PROBE_INTERVAL_MS);
    this.probe.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.probe);
    const pool = this.pool;
    this.pool = undefined;
    this.healthy = false;

    await pool?.end();
  }

  async append(message: NewMessage): Promise<AppendResult> {
    const pool = this.use();

    // Most repeats are retries of a send whose ack was lost: answer them
    // without taking the room's lock.
    const known = await this.byId(pool, message.room, message.id);
    if (known) {
      return this.repeated(known, message);
    }

    const client = await this.run(() => pool.connect());
    let failure: unknown;
    try {
      const stored = await this.insert(client, message);
      if (stored) {
        return { message: stored, duplicate: false };
      }
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      client.release(failure !== undefined);
    }

    // Another gateway stored the same id meanwhile; it is committed now.
    const raced = await this.byId(pool, message.room, message.id);
    if (!raced) {
      throw new Error(`Message ${message.id} conflicted but is not stored`);
    }
    return this.repeated(raced, message);
  }

  async latest(room: string, limit: number): Promise<ChatMessage[]> {
    const { rows } = await this.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE room = $1 ` +
        'ORDER BY seq DESC LIMIT $2',
      [room, limit],
    );

    return rows.map(toMessage).reverse();
  }

  async after(
    room: string,
    after: number,
    limit: number,
  ): Promise<ChatMessage[]> {
    const { rows } = await this.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE room = $1 AND seq > $2 ` +
        'ORDER BY seq LIMIT $3',
      [room, after, limit],
    );

    return rows.map(toMessage);
  }

  async headSeq(room: string): Promise<number> {
    const { rows } = await this.query<{ last_seq: string }>(
      'SELECT last_seq FROM rooms WHERE name = $1',
      [room],
    );

    return Number(rows[0]?.last_seq ?? 0);
  }

  async rooms(limit: number): Promise<StoredRoom[]> {
    const { rows } = await this.query<{
      room: string;
      last_seq: string;
      last_at: Date | null;
    }>(
      `SELECT r.name AS room, r.last_seq, m.at AS last_at
         FROM rooms r
         LEFT JOIN messages m ON m.room = r.name AND m.seq = r.last_seq
        WHERE left(r.name, 1) <> $2
        ORDER BY m.at DESC NULLS LAST
        LIMIT $1`,
      [limit, CONVERSATION_PREFIX],
    );

    return rows.map((row) => ({
      room: row.room,
      lastSeq: Number(row.last_seq),
      lastAt: row.last_at?.toISOString() ?? null,
    }));
  }

  /**
   * One statement: the insert wins on a free key, and the update only
   * where the claim is ours already or has expired; a row back means ours.
   */
  async claimNick(claim: NickClaim, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.query(
      `INSERT INTO nick_claims (room, key, holder, expires_at)
       VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
       ON CONFLICT (room, key) DO UPDATE
          SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE nick_claims.holder = excluded.holder
           OR nick_claims.expires_at <= now()`,
      [claim.room, claim.key, claim.holder, ttlMs],
    );

    return rowCount === 1;
  }

  async renewNicks(claims: NickClaim[], ttlMs: number): Promise<void> {
    if (claims.length === 0) {
      return;
    }

    await this.query(
      `INSERT INTO nick_claims (room, key, holder, expires_at)
       SELECT room, key, holder, now() + $4 * interval '1 millisecond'
         FROM unnest($1::text[], $2::text[], $3::text[])
           AS c (room, key, holder)
       ON CONFLICT (room, key) DO UPDATE
          SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE nick_claims.holder = excluded.holder
           OR nick_claims.expires_at <= now()`,
      [
        claims.map((c) => c.room),
        claims.map((c) => c.key),
        claims.map((c) => c.holder),
        ttlMs,
      ],
    );
  }

  async releaseNick(claim: NickClaim): Promise<void> {
    await this.query(
      'DELETE FROM nick_claims WHERE room = $1 AND key = $2 AND holder = $3',
      [claim.room, claim.key, claim.holder],
    );
  }

  async openConversation(conversation: Conversation): Promise<void> {
    const { holders, nicks } = conversation;
    await this.query(
      `INSERT INTO conversations (id, holder_a, holder_b, nick_a, nick_b)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE
         SET nick_a = excluded.nick_a, nick_b = excluded.nick_b`,
      [conversation.conversation, holders[0], holders[1], nicks[0], nicks[1]],
    );
  }

  async conversation(id: string): Promise<Conversation | null> {
    const { rows } = await this.query<ConversationRow>(
      `SELECT id, holder_a, holder_b, nick_a, nick_b
         FROM conversations WHERE id = $1`,
      [id],
    );

    return rows[0] ? conversationOf(rows[0]) : null;
  }

  async conversations(
    holder: string,
    limit: number,
  ): Promise<StoredConversation[]> {
    const { rows } = await this.query<
      ConversationRow & { last_seq: string | null; last_at: Date | null }
    >(
      `SELECT c.id, c.holder_a, c.holder_b, c.nick_a, c.nick_b,
              r.last_seq, m.at AS last_at
         FROM conversations c
         LEFT JOIN rooms r ON r.name = c.id
         LEFT JOIN messages m ON m.room = c.id AND m.seq = r.last_seq
        WHERE c.holder_a = $1 OR c.holder_b = $1
        ORDER BY m.at DESC NULLS LAST
        LIMIT $2`,
      [holder, limit],
    );

    return rows.map((row) => ({
      ...conversationOf(row),
      lastSeq: Number(row.last_seq ?? 0),
      lastAt: row.last_at?.toISOString() ?? null,
    }));
  }

  /**
   * Stores the message under the room's next seq, in one transaction, or
   * returns undefined when its id turned out to be taken; the seq it drew
   * is then rolled back with the rest, so no gap is left.
   */
  private async insert(
    client: pg.PoolClient,
    message: NewMessage,
  ): Promise<ChatMessage | undefined> {
    const at = new Date().toISOString();

    await this.run(() => client.query('BEGIN'));
    try {
      await this.run(() =>
        client.query(
          'INSERT INTO rooms (name) VALUES ($1) ON CONFLICT (name) DO NOTHING',
          [message.room],
        ),
      );
      // The row lock taken here is held until COMMIT: the next writer of
      // the room waits, then reads the counter this one left.
      const bumped = await this.run(() =>
        client.query<{ last_seq: string }>(
          'UPDATE rooms SET last_seq = last_seq + 1 WHERE name = $1 ' +
            'RETURNING last_seq',
          [message.room],
        ),
      );
      const seq = bumped.rows[0]?.last_seq;
      const inserted = await this.run(() =>
        client.query<MessageRow>(
          `INSERT INTO messages (${COLUMNS}) ` +
            'VALUES ($1, $2, $3, $4, $5, $6, $7) ' +
            'ON CONFLICT (room, id) DO NOTHING ' +
            `RETURNING ${COLUMNS}`,
          [
            message.room,
            seq,
            message.id,
            message.nick,
            message.text,
            at,
            message.server,
          ],
        ),
      );

      const row = inserted.rows[0];
      if (!row) {
        await this.run(() => client.query('ROLLBACK'));
        return undefined;
      }

      await this.run(() => client.query('COMMIT'));
      return toMessage(row);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private repeated(known: ChatMessage, message: NewMessage): AppendResult {
    if (known.nick !== message.nick) {
      throw new DuplicateIdError(message.room, message.id);
    }

    return { message: known, duplicate: true };
  }

  private async byId(
    pool: pg.Pool,
    room: string,
    id: string,
  ): Promise<ChatMessage | undefined> {
    const { rows } = await this.run(() =>
      pool.query<MessageRow>(
        `SELECT ${COLUMNS} FROM messages WHERE room = $1 AND id = $2`,
        [room, id],
      ),
    );

    return rows[0] ? toMessage(rows[0]) : undefined;
  }

  private query<R extends pg.QueryResultRow>(
    sql: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const pool = this.use();

    return this.run(() => pool.query<R>(sql, values));
  }

  /** Runs a database call; a failure to reach the database unreadies. */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isUnreachable(err)) {
        this.setHealthy(false);
      }
      throw err;
    }
  }

  /** One round trip, at most one at a time, to follow the database. */
  private async check(): Promise<void> {
    const pool = this.pool;
    if (!pool || this.probing) {
      return;
    }

    this.probing = true;
    try {
      await pool.query('SELECT 1');
      this.setHealthy(true);
    } catch {
      this.setHealthy(false);
    } finally {
      this.probing = false;
    }
  }

  private setHealthy(healthy: boolean): void {
    if (healthy === this.healthy) {
      return;
    }

    this.healthy = healthy;
    if (healthy) {
      this.logger.info({ store: this.shownUrl }, 'the database answers');
    } else {
      this.logger.warn({ store: this.shownUrl }, 'the database is unreachable');
    }
  }

  private use(): pg.Pool {
    if (!this.pool) {
      throw new Error('The store is closed');
    }

    return this.pool;
  }
}
