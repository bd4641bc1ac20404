import type { ChatMessage } from '../protocol/index.js';

/** A message as a gateway hands it to the store, before it has a seq. */
export interface NewMessage {
  room: string;
  id: string;
  nick: string;
  text: string;
  server: string;
}

/** What the store answers to an append. */
export interface AppendResult {
  message: ChatMessage;
  /**
   * True when a message with this id was already stored in the room by the
   * same author: the stored one is returned and nothing new is written.
   */
  duplicate: boolean;
}

/** A room as the store knows it. */
export interface StoredRoom {
  room: string;
  /** Seq of the room's latest message; 0 when it has none. */
  lastSeq: number;
  /** Time of that message, ISO 8601; null when it has none. */
  lastAt: string | null;
}

/** A nickname held in a room by the person behind a session token. */
export interface NickClaim {
  room: string;
  /** The nickname in the form people read as the same (see nickKey). */
  key: string;
  /** Hash of the session token that holds it. */
  holder: string;
}

/**
 * The two people of a direct conversation, by the hashes of their session
 * tokens (never by nickname: a nickname can pass to somebody else), in
 * ascending order, with the nicknames they last wrote under.
 */
export interface Conversation {
  conversation: string;
  holders: [string, string];
  nicks: [string, string];
}

/** A conversation with its latest message, for the list. */
export interface StoredConversation extends Conversation {
  lastSeq: number;
  lastAt: string | null;
}

/**
 * The prefix of conversation ids. Room names cannot hold it, so a
 * conversation's messages, stored as a room's, can never be joined.
 */
export const CONVERSATION_PREFIX = '@';

/**
 * The shared, durable source of truth of the cluster: rooms and their
 * messages. Every implementation assigns each room's seq atomically, so that
 * seqs are 1, 2, 3, … with no gap and no repeat, whichever instance writes.
 */
export interface ChatStore {
  /** Opens the connection and brings the schema up to date. */
  open(): Promise<void>;

  /** Closes it; later calls fail. */
  close(): Promise<void>;

  /** Whether the store can take requests now. */
  readonly ready: boolean;

  /**
   * Stores a message under the room's next seq. A repeated id from the same
   * author returns the stored message; from another author it throws a
   * DuplicateIdError.
   */
  append(message: NewMessage): Promise<AppendResult>;

  /** The latest `limit` messages of a room, oldest first. */
  latest(room: string, limit: number): Promise<ChatMessage[]>;

  /** Messages of a room with seq greater than `after`, oldest first. */
  after(room: string, after: number, limit: number): Promise<ChatMessage[]>;

  /** Seq of the room's latest message; 0 for an empty or unknown room. */
  headSeq(room: string): Promise<number>;

  /**
   * Up to `limit` rooms, the most recently active first. Conversations
   * are not rooms and are never listed.
   */
  rooms(limit: number): Promise<StoredRoom[]>;

  /**
   * Takes a nickname in a room for `ttlMs`, atomically across every
   * instance. False when another holder has a claim that has not expired.
   */
  claimNick(claim: NickClaim, ttlMs: number): Promise<boolean>;

  /**
   * Extends claims this instance's sessions hold. A claim that is gone
   * (released by the same person's session elsewhere) is taken again if
   * nobody else took it meanwhile.
   */
  renewNicks(claims: NickClaim[], ttlMs: number): Promise<void>;

  /** Gives a claim up, if `holder` still has it. */
  releaseNick(claim: NickClaim): Promise<void>;

  /**
   * Records a conversation, or the nicknames its people use now. Its
   * messages are appended and read like a room's, under its id.
   */
  openConversation(conversation: Conversation): Promise<void>;

  /** The conversation with this id, or null. */
  conversation(id: string): Promise<Conversation | null>;

  /** Up to `limit` conversations of a holder, most recently active first. */
  conversations(holder: string, limit: number): Promise<StoredConversation[]>;
}

/** Raised when a message id is reused in a room by another author. */
export class DuplicateIdError extends Error {
  constructor(
    readonly room: string,
    readonly id: string,
  ) {
    super(`Message id ${id} is already used in room ${room}`);
    this.name = 'DuplicateIdError';
  }
}

/** Injection token of the ChatStore. */
export const CHAT_STORE = Symbol('CHAT_STORE');
