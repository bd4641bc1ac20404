/**
 * Stable machine-readable codes carried by `error` frames. Clients branch on
 * these; the human sentence beside them may change. Documented in
 * docs/protocol.md.
 */
export const ErrorCode = {
  /** The frame is not valid JSON text. */
  BadJson: 'bad_json',
  /** JSON, but not an object of the form `{event, data}`. */
  BadFrame: 'bad_frame',
  /** The event name is not one the gateway knows. */
  UnknownEvent: 'unknown_event',
  /** The event's data is missing fields or has wrongly typed ones. */
  InvalidData: 'invalid_data',
  /** The frame needs a room the connection has not joined. */
  NotJoined: 'not_joined',
  /** The nickname is in use in that room by another live session. */
  NickTaken: 'nick_taken',
  /** The message id was already used in that room by another author. */
  DuplicateId: 'duplicate_id',
  /** Too many frames too fast; the frame was dropped, nothing stored. */
  RateLimited: 'rate_limited',
  /** The connection is in as many rooms as it may be. */
  TooManyRooms: 'too_many_rooms',
  /** No live user has the nickname a direct message is addressed to. */
  NoSuchUser: 'no_such_user',
  /** The conversation is not one of this session's two people. */
  Forbidden: 'forbidden',
  /** The store or the bus cannot take the request right now; retry. */
  Unavailable: 'unavailable',
  /** Something failed on the server; the request may be retried. */
  Internal: 'internal',
} as const;

export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];
