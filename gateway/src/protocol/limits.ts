/**
 * Default limits of the protocol, shared so that the SPA can check input
 * before sending it. Lengths count Unicode code points, not UTF-16 units.
 */
export const Limits = {
  /** Longest nickname. */
  nickLength: 32,
  /** Longest room name. */
  roomLength: 64,
  /** Longest message text. */
  textLength: 4000,
  /** Longest client-chosen message id. */
  idLength: 64,
  /** Messages in the history that `joined` carries. */
  historySize: 100,
  /** Most messages one `history` reply carries; resume again for more. */
  resumePage: 500,
} as const;

/**
 * Room names: letters, digits, `-`, `_` and `.`. Kept narrow because the
 * name is part of bus topics and of the SPA's URL.
 */
export const ROOM_PATTERN = /^[\p{L}\p{N}_.-]+$/u;

/** The room a new user lands in. */
export const DEFAULT_ROOM = 'general';
