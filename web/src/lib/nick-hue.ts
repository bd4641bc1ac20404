/**
 * A stable hue (0–359) for a nickname, so that one person's name keeps its
 * colour across messages, tabs and reloads.
 */
export function nickHue(nick: string): number {
  let hash = 0;
  for (const char of nick) {
    hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  }

  return hash % 360;
}
