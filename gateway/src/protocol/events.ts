/**
 * Event names of the wire protocol (see docs/protocol.md). Every frame is
 * JSON text `{"event": NAME, "data": OBJECT}` in both directions.
 *
 * This folder is shared by the gateway, the SPA and the tests: it must not
 * import anything from Node or NestJS.
 */

/** Events a client sends. */
export const ClientEvent = {
  Join: 'join',
  Leave: 'leave',
  Send: 'send',
  Resume: 'resume',
  Ping: 'ping',
  Typing: 'typing',
  Rooms: 'rooms',
  Dm: 'dm',
  DmResume: 'dm_resume',
  Conversations: 'conversations',
} as const;

export type ClientEventName = (typeof ClientEvent)[keyof typeof ClientEvent];

/** Events a gateway sends. */
export const ServerEvent = {
  Hello: 'hello',
  Joined: 'joined',
  Left: 'left',
  Ack: 'ack',
  Message: 'message',
  History: 'history',
  Presence: 'presence',
  Pong: 'pong',
  Typing: 'typing',
  Rooms: 'rooms',
  Dm: 'dm',
  DmHistory: 'dm_history',
  Conversations: 'conversations',
  Error: 'error',
} as const;

export type ServerEventName = (typeof ServerEvent)[keyof typeof ServerEvent];

/** The WebSocket path on the balancer and on every gateway. */
export const WS_PATH = '/ws';

/**
 * Close codes the cluster uses (RFC 6455 section 7.4.1 and the IANA
 * registry of WebSocket close codes).
 */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
} as const;
