import type { IncomingMessage } from 'node:http';

/** Who may open a WebSocket from a browser page. */
export interface OriginPolicy {
  /** Origins allowed besides the one a request is addressed to. */
  origins: ReadonlySet<string>;
  /** Host names pages may address, besides loopback; `*` for any. */
  hosts: ReadonlySet<string>;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Whether a browser page may open a WebSocket here. Browsers send the
 * page's Origin with every upgrade, and a page of any site could otherwise
 * open a socket to the chat in its user's name (cross-site WebSocket
 * hijacking). Allowed: no Origin at all (not a browser); the origin the
 * request was addressed to, if that host is one the chat is served under
 * (loopback, or a listed host: a name that an attacker's DNS could point at
 * 127.0.0.1 is not, which stops DNS rebinding); and the listed origins.
 */
export function originAllowed(
  request: IncomingMessage,
  policy: OriginPolicy,
): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) {
    return true;
  }

  if (policy.origins.has(origin)) {
    return true;
  }

  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }

  const servedHere =
    LOOPBACK.test(url.hostname) ||
    policy.hosts.has('*') ||
    policy.hosts.has(url.hostname);

  return servedHere && url.host === request.headers.host;
}
