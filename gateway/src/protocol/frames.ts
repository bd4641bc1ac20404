import type { ErrorCodeName } from './error-codes.js';

/** A user in a room, on the instance that holds its connection. */
export interface Member {
  nick: string;
  server: string;
}

/**
 * Where a live message went, in server milliseconds since the epoch, for
 * the SPA's path view. The clocks of different hosts differ: across hosts
 * the hops are only as true as their clocks.
 */
export interface MessageTrace {
  /** The accepting instance read the `send`. */
  acceptedAt: number;
  /** The store committed it under its seq. */
  storedAt: number;
  /** The accepting instance published it on the bus. */
  publishedAt: number;
  /** The delivering instance had it (from the bus, or it is the acceptor). */
  arrivedAt?: number;
  /** The delivering instance wrote the frame to this client. */
  deliveredAt?: number;
  /** The delivering instance. */
  deliveredBy?: string;
  /** Delivered from the store, after the bus missed it. */
  filled?: boolean;
}

/** A stored chat message as every client receives it. */
export interface ChatMessage {
  room: string;
  /** Per-room sequence number: 1, 2, 3, … with no gap. */
  seq: number;
  /** The sender's own id for the message, unique in the room. */
  id: string;
  nick: string;
  text: string;
  /** Server time of acceptance, ISO 8601. */
  at: string;
  /** The instance that accepted the message. */
  server: string;
  /** Only on live frames: history and resumed pages have none. */
  trace?: MessageTrace;
}

export interface HelloData {
  server: string;
  port: number;
  pid: number;
}

export interface JoinData {
  room: string;
  nick: string;
  /** The token of an earlier `joined`, to get the same nickname back. */
  token?: string;
}

export interface JoinedData {
  room: string;
  nick: string;
  server: string;
  members: Member[];
  /** The latest messages of the room, oldest first. */
  history: ChatMessage[];
  /** The session token: present it in the next `join` after a reconnect. */
  token: string;
}

export interface LeaveData {
  room: string;
}

export interface LeftData {
  room: string;
}

export interface SendData {
  room: string;
  text: string;
  id: string;
}

export interface AckData {
  id: string;
  seq: number;
  /** Set when the acknowledged message is a direct one. */
  conversation?: string;
}

export interface ResumeData {
  room: string;
  after: number;
}

export interface HistoryData {
  room: string;
  messages: ChatMessage[];
}

export interface PresenceData {
  room: string;
  members: Member[];
}

export interface TypingData {
  room: string;
}

/** Someone in a room is typing; relayed, never stored. */
export interface TypingNotice {
  room: string;
  nick: string;
  /** The instance the typist is on. */
  server: string;
}

/** One room as the `rooms` list shows it. */
export interface RoomSummary {
  room: string;
  /** Members on every instance now. */
  members: number;
  /** Seq of the latest message; 0 for a room without any. */
  last: number;
  /** Time of the latest message, ISO 8601; null without any. */
  lastAt: string | null;
}

export interface RoomsData {
  rooms: RoomSummary[];
}

/** A direct message to the person behind a nickname. */
export interface DmData {
  to: string;
  text: string;
  id: string;
}

/** A stored direct message as both of its people receive it. */
export interface DirectMessage {
  /** The two-person conversation; its seq is 1, 2, 3, … with no gap. */
  conversation: string;
  seq: number;
  id: string;
  /** The author's nickname when it was written. */
  nick: string;
  text: string;
  /** Server time of acceptance, ISO 8601. */
  at: string;
  /** The instance that accepted it. */
  server: string;
  /** On live frames: the nickname it was addressed to. */
  to?: string;
}

export interface DmResumeData {
  conversation: string;
  after: number;
}

export interface DmHistoryData {
  conversation: string;
  messages: DirectMessage[];
}

/** One conversation of this session's person, as the list shows it. */
export interface ConversationSummary {
  conversation: string;
  /** The other person's nickname, the latest one the store saw. */
  peer: string;
  /** The instance the other person is on now; null when not online. */
  server: string | null;
  /** Seq of the latest message; 0 for none. */
  last: number;
  lastAt: string | null;
}

export interface ConversationsData {
  conversations: ConversationSummary[];
}

/** Answer to `ping`: the client's proof that the connection is alive. */
export interface PongData {
  /** Server time, ISO 8601. */
  at: string;
}

export interface ErrorData {
  code: ErrorCodeName;
  message: string;
  /** The offending event name, or the id of the offending message. */
  ref: string | null;
}

/** The data each server event carries. */
export interface ServerEventData {
  hello: HelloData;
  joined: JoinedData;
  left: LeftData;
  ack: AckData;
  message: ChatMessage;
  history: HistoryData;
  presence: PresenceData;
  pong: PongData;
  typing: TypingNotice;
  rooms: RoomsData;
  dm: DirectMessage;
  dm_history: DmHistoryData;
  conversations: ConversationsData;
  error: ErrorData;
}

/** The data each client event carries. */
export interface ClientEventData {
  join: JoinData;
  leave: LeaveData;
  send: SendData;
  resume: ResumeData;
  ping: Record<string, never>;
  typing: TypingData;
  rooms: Record<string, never>;
  dm: DmData;
  dm_resume: DmResumeData;
  conversations: Record<string, never>;
}

/** A frame from the server, discriminated by its event name. */
export type ServerFrame = {
  [E in keyof ServerEventData]: { event: E; data: ServerEventData[E] };
}[keyof ServerEventData];

/** A frame from a client, discriminated by its event name. */
export type ClientFrame = {
  [E in keyof ClientEventData]: { event: E; data: ClientEventData[E] };
}[keyof ClientEventData];
