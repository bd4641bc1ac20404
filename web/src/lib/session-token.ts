/** Where the tab keeps its token across reloads (not across tabs). */
const TOKEN_KEY = 'chat.token';

/**
 * A fresh session token, made by the tab itself before its first join.
 * Presenting it from the very first `join` keeps the nickname this tab's
 * even when the gateway dies between storing the claim and sending
 * `joined`: the re-join then carries the same token, not none.
 */
export function newSessionToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));

  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(
    '',
  );
}

/**
 * The token this tab used before a reload, or a fresh one. Keeping it
 * keeps the nickname and the direct conversations, which belong to the
 * token, not to the nickname.
 */
export function loadSessionToken(): string {
  try {
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved !== null && /^[\w-]{16,128}$/u.test(saved)) return saved;
  } catch {
    // Storage may be blocked: a fresh token still works for this page.
  }

  return newSessionToken();
}

/** Remembers the token the gateway confirmed, when storage allows it. */
export function saveSessionToken(token: string): void {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Without storage a reload starts a new person: the chat still works.
  }
}
