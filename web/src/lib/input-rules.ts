import { Limits, ROOM_PATTERN } from '$protocol';

/** Length in Unicode code points, the unit the protocol's limits use. */
export function codePointLength(text: string): number {
  return Array.from(text).length;
}

/** Why a nickname would be refused, or `null` when it is fine. */
export function nickProblem(nick: string): string | null {
  const trimmed = nick.trim();
  if (trimmed === '') return 'Choose a nickname.';

  if (codePointLength(trimmed) > Limits.nickLength) {
    return `A nickname has at most ${Limits.nickLength} characters.`;
  }

  return null;
}

/** Why a room name would be refused, or `null` when it is fine. */
export function roomProblem(room: string): string | null {
  const trimmed = room.trim();
  if (trimmed === '') return 'Choose a room.';

  if (codePointLength(trimmed) > Limits.roomLength) {
    return `A room name has at most ${Limits.roomLength} characters.`;
  }

  if (!ROOM_PATTERN.test(trimmed)) {
    return 'Room names use letters, digits, "-", "_" and "." only.';
  }

  return null;
}

/** Whether a message text can be sent as it is. */
export function isSendable(text: string): boolean {
  const trimmed = text.trim();

  return trimmed !== '' && codePointLength(trimmed) <= Limits.textLength;
}
