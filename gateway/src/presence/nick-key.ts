/**
 * Characters that render as nothing: Unicode's default-ignorable code
 * points (zero-width spaces and joiners, variation selectors, the combining
 * grapheme joiner, Hangul fillers, tag characters, …) and the blank braille
 * pattern. Stripped before nicknames are compared, so that `al\u200bice` or
 * `alice\ufe0f` cannot pass for `alice`.
 */
export const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u2800]/gu;

/**
 * The form of a nickname that two nicknames share when people would read
 * them as the same: NFKC-normalised, invisible characters removed,
 * case-folded and trimmed.
 */
export function nickKey(nick: string): string {
  return nick.normalize('NFKC').replace(INVISIBLE, '').toLowerCase().trim();
}
