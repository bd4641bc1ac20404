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
