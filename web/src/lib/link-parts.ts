/** A piece of message text: plain text, or a web address to link. */
export type TextPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly href: string };

/** Web addresses as people paste them; the end is trimmed below. */
const ADDRESS = /\bhttps?:\/\/[^\s<>"]+/giu;

/**
 * Punctuation that closes a sentence rather than the address: "see
 * https://example.com." links without the full stop.
 */
const TRAILING = /[.,;:!?'")\]}]+$/u;

/**
 * Splits a message into text and links. Only `http:` and `https:` become
 * links, so that a `javascript:` address stays inert text; the parts are
 * rendered as text nodes, never as markup.
 */
export function linkParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let from = 0;

  for (const match of text.matchAll(ADDRESS)) {
    const raw = match[0];
    const address = raw.replace(TRAILING, '');
    const href = safeHref(address);
    if (href === null) continue;

    const at = match.index;
    if (at > from) parts.push({ kind: 'text', text: text.slice(from, at) });
    parts.push({ kind: 'link', text: address, href });
    from = at + address.length;
  }

  if (from < text.length) parts.push({ kind: 'text', text: text.slice(from) });

  return parts;
}

function safeHref(address: string): string | null {
  try {
    const url = new URL(address);

    return url.protocol === 'http:' || url.protocol === 'https:'
      ? url.href
      : null;
  } catch {
    return null;
  }
}
