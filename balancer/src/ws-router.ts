import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

import httpProxy from 'http-proxy';
import type { Logger } from 'pino';

import { WS_PATH } from '../../gateway/src/protocol/index.js';
import { ProxiedConnection } from './proxied-connection.js';
import { Rejection, rejectUpgrade } from './upgrade-rejection.js';
import type { UpstreamPool } from './upstream-pool.js';

/**
 * Routes WebSocket upgrades on `WS_PATH` to a gateway picked by the pool,
 * and answers every other upgrade with an HTTP error at once.
 */
export class WsRouter {
  private readonly proxy: httpProxy;

  private readonly connections = new Set<ProxiedConnection>();

  /** From the dialed upstream socket to its connection, for `'open'`. */
  private readonly byUpstreamSocket = new WeakMap<Socket, ProxiedConnection>();

  constructor(
    private readonly pool: UpstreamPool,
    private readonly logger: Logger,
  ) {
    this.proxy = httpProxy.createProxyServer({ ws: true, xfwd: true });

    // Every ws() call passes its own error callback, so this only fires
    // for a misuse of http-proxy itself; without a listener it would
    // throw and end the process.
    this.proxy.on('error', (error, _req, target) => {
      this.logger.error({ err: error }, 'proxy error outside a connection');
      target.destroy();
    });

    this.proxy.on('open', (upstreamSocket) => {
      this.byUpstreamSocket.get(upstreamSocket)?.markOpen();
    });
  }

  /** The server's `'upgrade'` listener. */
  readonly handleUpgrade = (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): void => {
    // Registered first: a client that resets during any step below must
    // not surface as an unhandled 'error' event.
    socket.on('error', (error) => {
      this.logger.debug({ err: error }, 'client socket error');
      socket.destroy();
    });

    if (pathOf(req.url) !== WS_PATH) {
      this.logger.debug({ url: req.url }, 'upgrade refused: unknown path');
      rejectUpgrade(socket, Rejection.NotFound);
      return;
    }

    if (!isWebSocketUpgrade(req)) {
      this.logger.debug({ method: req.method }, 'upgrade refused: not ws');
      rejectUpgrade(socket, Rejection.NotWebSocket);
      return;
    }

    const upstream = this.pool.pick();
    if (!upstream) {
      this.logger.debug('upgrade refused: no upstream is up');
      rejectUpgrade(socket, Rejection.NoUpstream);
      return;
    }

    const connection = new ProxiedConnection(req, socket, head, {
      pool: this.pool,
      proxy: this.proxy,
      logger: this.logger,
      onDialed: (upstreamSocket, dialed) => {
        this.byUpstreamSocket.set(upstreamSocket, dialed);
      },
      onClosed: (closed) => this.connections.delete(closed),
    });
    this.connections.add(connection);
    connection.start(upstream);
  };

  /**
   * Drops every proxied connection. The balancer cannot send a close frame
   * of its own without parsing the stream, so clients see the connection
   * drop and reconnect as they would after a gateway restart.
   */
  closeAll(): void {
    for (const connection of this.connections) {
      connection.destroy('balancer shutting down');
    }
  }
}

/** The path of a request target, without its query string. */
function pathOf(url: string | undefined): string {
  const target = url ?? '';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/** RFC 6455 section 4.1: the opening handshake is a GET with Upgrade. */
function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade?.toLowerCase();
  return req.method === 'GET' && upgrade === 'websocket';
}
