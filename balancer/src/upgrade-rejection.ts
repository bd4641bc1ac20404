import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

import { endSocket } from './socket-ending.js';

/** Why an upgrade was refused: the HTTP status and a stable error code. */
export interface UpgradeRejection {
  readonly status: number;
  readonly error: string;
  readonly message: string;
}

/**
 * Every answer the balancer gives instead of `101 Switching Protocols`, and
 * to a plain HTTP request on the WebSocket path: the codes clients and
 * `docs/balancer.md` rely on.
 */
export const Rejection = {
  NotFound: {
    status: 404,
    error: 'not_found',
    message: 'no WebSocket endpoint at this path',
  },
  NotWebSocket: {
    status: 400,
    error: 'bad_upgrade',
    message: 'only GET with Upgrade: websocket is accepted',
  },
  UpgradeRequired: {
    status: 426,
    error: 'upgrade_required',
    message: 'this path only accepts WebSocket upgrades',
  },
  TooManyConnections: {
    status: 429,
    error: 'too_many_connections',
    message: 'too many open connections from this address',
  },
  Overloaded: {
    status: 503,
    error: 'overloaded',
    message: 'too many connections are being opened, try again shortly',
  },
  NoUpstream: {
    status: 503,
    error: 'no_upstream',
    message: 'no server available',
  },
  BadGateway: {
    status: 502,
    error: 'bad_gateway',
    message: 'the server did not accept the connection',
  },
  GatewayTimeout: {
    status: 504,
    error: 'gateway_timeout',
    message: 'the server did not answer the upgrade in time',
  },
} as const satisfies Record<string, UpgradeRejection>;

/**
 * Answers an upgrade request on its raw socket with a complete HTTP
 * response and closes it. A client is never left waiting for a 101 that
 * will not come.
 */
export function rejectUpgrade(
  socket: Duplex,
  { status, error, message }: UpgradeRejection,
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }

  const body = JSON.stringify({ error, message });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];

  endSocket(socket, `${head.join('\r\n')}\r\n\r\n${body}`);
}
