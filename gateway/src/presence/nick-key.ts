/**
 * Characters that render as nothing: zero-width space, non-joiner and joiner,
 * word joiner, the byte order mark and the soft hyphen. Stripped before
 * nicknames are compared, so that `al\u200bice` cannot pass for `alice`.
 */
export const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/g;

/**
 * The form of a nickname that two nicknames share when people would read
 * them as the same: NFKC-normalised, invisible characters removed,
 * case-folded and trimmed.
 */
export function nickKey(nick: string): string {
  return nick.normalize('NFKC').replace(INVISIBLE, '').toLowerCase().trim();
}
