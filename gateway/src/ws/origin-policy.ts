import type { IncomingMessage } from 'node:http';

/**
 * Whether a browser page may open a WebSocket here. Browsers send the
 * page's Origin with every upgrade, and a page of any site could otherwise
 * open a socket to the chat in its user's name (cross-site WebSocket
 * hijacking). Allowed: no Origin at all (not a browser), the origin the
 * request was addressed to (the balancer's own page, whatever its port),
 * and the listed origins (the Vite dev server by default).
 */
export function originAllowed(
  request: IncomingMessage,
  allowed: ReadonlySet<string>,
): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) {
    return true;
  }

  if (allowed.has(origin)) {
    return true;
  }

  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
