import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

import { clientAddressOf } from './client-address.js';

/** Why a demo request is refused, or `undefined` when it may go ahead. */
export type DemoRefusal = 'not_loopback' | 'foreign_origin';

/** Host names that can only mean this machine. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks who asks to stop or start an instance. Only a process on this
 * machine may: the TCP peer must be a loopback address (X-Forwarded-For
 * is not read, since any client can write it).
 *
 * A loopback peer can still be a browser running someone else's page.
 * A page of another origin that posts here sends its own `Origin`, and a
 * page reached by DNS rebinding sends a `Host` that is not a loopback
 * name: both are refused. Clients that send no `Origin` are not browsers.
 */
export function demoRefusal(req: IncomingMessage): DemoRefusal | undefined {
  const address = clientAddressOf(req.socket.remoteAddress);
  if (address === undefined || !isLoopbackAddress(address)) {
    return 'not_loopback';
  }

  const host = req.headers.host ?? '';
  if (!LOOPBACK_NAMES.has(hostnameOf(host))) return 'foreign_origin';

  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return 'foreign_origin';
  }

  return undefined;
}

/** 127.0.0.0/8 and ::1 (RFC 1122 section 3.2.1.3, RFC 4291 section 2.5.3). */
export function isLoopbackAddress(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');

  return address === '::1';
}

/** `host` of `host:port`, keeping the brackets of an IPv6 literal. */
function hostnameOf(host: string): string {
  const bracketed = /^(\[[^\]]*\])(?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1].toLowerCase();

  return host.replace(/:\d+$/, '').toLowerCase();
}
