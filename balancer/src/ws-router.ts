import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

import httpProxy from 'http-proxy';
import type { Logger } from 'pino';

import { WS_PATH } from '../../gateway/src/protocol/index.js';
import { AddressQuota } from './address-quota.js';
import { clientAddressOf } from './client-address.js';
import {
  ProxiedConnection,
  type ConnectionDeps,
} from './proxied-connection.js';
import { Rejection, rejectUpgrade } from './upgrade-rejection.js';
import type { UpstreamPool } from './upstream-pool.js';

/** The limits the router enforces before it dials a gateway. */
export interface WsRouterLimits {
  readonly maxConnectionsPerAddress: number;
  readonly maxPendingUpgrades: number;
}

/**
 * Routes WebSocket upgrades on `WS_PATH` to a gateway picked by the pool,
 * and answers every other upgrade with an HTTP error at once: a bad path
 * or request, an address over its quota, a balancer with too many
 * handshakes under way, or no gateway up.
 */
export class WsRouter {
  /** Upgrades that reached `101 Switching Protocols` since the start. */
  upgradesTotal = 0;

  private readonly proxy: httpProxy;

  private readonly quota: AddressQuota;

  /** Whether upgrades are being refused for too many pending ones. */
  private overloaded = false;

  private readonly connections = new Set<ProxiedConnection>();

  /** From the dialed upstream socket to its connection, for `'open'`. */
  private readonly byUpstreamSocket = new WeakMap<Socket, ProxiedConnection>();

  private readonly connectionDeps: ConnectionDeps;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly limits: WsRouterLimits,
    private readonly logger: Logger,
  ) {
    this.quota = new AddressQuota(limits.maxConnectionsPerAddress);
    this.proxy = httpProxy.createProxyServer({ ws: true, xfwd: true });

    // Every ws() call passes its own error callback, so this only fires
    // for a misuse of http-proxy itself; without a listener it would
    // throw and end the process.
    this.proxy.on('error', (error, _req, target) => {
      this.logger.error({ err: error }, 'proxy error outside a connection');
      target.destroy();
    });

    this.proxy.on('open', (upstreamSocket) => {
      const connection = this.byUpstreamSocket.get(upstreamSocket);
      if (connection?.markOpen()) this.upgradesTotal += 1;
    });

    this.connectionDeps = {
      pool,
      proxy: this.proxy,
      logger,
      onDialed: (upstreamSocket, dialed) => {
        this.byUpstreamSocket.set(upstreamSocket, dialed);
      },
      onClosed: (closed) => {
        this.connections.delete(closed);
      },
    };
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

    // A socket with no peer address has already closed.
    const address = clientAddressOf(req.socket.remoteAddress);
    if (address === undefined) {
      socket.destroy();
      return;
    }

    const claim = this.quota.claim(address);
    if (!claim) {
      this.logger.debug({ address }, 'upgrade refused: address over quota');
      rejectUpgrade(socket, Rejection.TooManyConnections);
      return;
    }

    if (this.isOverloaded()) {
      claim.release();
      rejectUpgrade(socket, Rejection.Overloaded);
      return;
    }

    const upstream = this.pool.pick();
    if (!upstream) {
      claim.release();
      this.logger.debug('upgrade refused: no upstream is up');
      rejectUpgrade(socket, Rejection.NoUpstream);
      return;
    }

    const connection = new ProxiedConnection(
      req,
      socket,
      head,
      claim,
      this.connectionDeps,
    );
    this.connections.add(connection);
    connection.start(upstream);
  };

  /**
   * Whether handshakes under way have reached the limit. Refusing at once
   * costs a few bytes; queueing would hold a socket and a timer per client
   * while the gateways are already slow to answer. The change is logged
   * when it starts and ends, not for every refused client.
   */
  private isOverloaded(): boolean {
    const pending = this.pool.countPending();
    const overloaded = pending >= this.limits.maxPendingUpgrades;
    if (overloaded === this.overloaded) return overloaded;

    this.overloaded = overloaded;
    if (overloaded) {
      this.logger.warn({ pending }, 'too many pending upgrades, refusing new');
    } else {
      this.logger.info({ pending }, 'pending upgrades below the limit again');
    }
    return overloaded;
  }

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
