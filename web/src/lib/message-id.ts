/**
 * A fresh id for an outgoing message; resends reuse it so that the gateway
 * can tell a retry from a new message.
 *
 * `crypto.randomUUID` exists only in secure contexts, and the balancer may
 * be reached over plain HTTP on a LAN address; `getRandomValues` works in
 * both.
 */
export function newMessageId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();

  const bytes = crypto.getRandomValues(new Uint8Array(16));

  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(
    '',
  );
}
