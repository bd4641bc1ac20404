import type { IncomingMessage } from 'node:http';

/** Proxies whose X-Forwarded-For is believed: the balancer on loopback. */
const TRUSTED_PROXIES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The address of the person behind a connection. Through the balancer the
 * socket's peer is the balancer itself; the client is the last address it
 * added to X-Forwarded-For. A header from anyone else is not believed.
 */
export function clientAddress(request: IncomingMessage): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  const forwarded = request.headers['x-forwarded-for'];
  if (!TRUSTED_PROXIES.has(peer) || typeof forwarded !== 'string') {
    return peer;
  }

  return forwarded.split(',').at(-1)?.trim() || peer;
}
