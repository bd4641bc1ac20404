import { DEFAULT_ROOM } from '$protocol';

/** The nickname and room a user picked last time. */
export interface Identity {
  nick: string;
  room: string;
}

const NICK_KEY = 'chat.nick';
const ROOM_KEY = 'chat.room';

/**
 * The identity remembered in this browser. Storage can be missing or throw
 * (private windows, blocked cookies); the form then starts empty.
 */
export function loadIdentity(): Identity {
  try {
    return {
      nick: localStorage.getItem(NICK_KEY) ?? '',
      room: localStorage.getItem(ROOM_KEY) ?? DEFAULT_ROOM,
    };
  } catch {
    return { nick: '', room: DEFAULT_ROOM };
  }
}

/** Remembers the identity for the next visit, when storage allows it. */
export function saveIdentity(identity: Identity): void {
  try {
    localStorage.setItem(NICK_KEY, identity.nick);
    localStorage.setItem(ROOM_KEY, identity.room);
  } catch {
    // Remembering is a convenience: the chat works without it.
  }
}
