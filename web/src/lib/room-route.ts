import { Limits, ROOM_PATTERN } from '$protocol';
import { codePointLength } from './input-rules';

const PREFIX = '/room/';

/**
 * The room a `/room/NAME` address names, or `null` for any other path or
 * a name the protocol would refuse.
 */
export function roomFromPath(pathname: string): string | null {
  if (!pathname.startsWith(PREFIX)) return null;

  let room: string;
  try {
    room = decodeURIComponent(
      pathname.slice(PREFIX.length).replace(/\/$/u, ''),
    );
  } catch {
    return null;
  }

  const fits = room !== '' && codePointLength(room) <= Limits.roomLength;

  return fits && ROOM_PATTERN.test(room) ? room : null;
}

/** The address of a room's page. */
export function roomPath(room: string): string {
  return `${PREFIX}${encodeURIComponent(room)}`;
}
