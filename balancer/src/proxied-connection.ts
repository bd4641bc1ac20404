import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

import type httpProxy from 'http-proxy';
import type { Logger } from 'pino';

import type { AddressClaim } from './address-quota.js';
import { DialedAgent } from './dialed-agent.js';
import { endSocket } from './socket-ending.js';
import { joinSockets } from './socket-join.js';
import {
  Rejection,
  rejectUpgrade,
  type UpgradeRejection,
} from './upgrade-rejection.js';
import type { Upstream } from './upstream.js';
import { UpstreamLease } from './upstream-lease.js';
import type { UpstreamPool } from './upstream-pool.js';

/**
 * A gateway on the same network connects or refuses at once; this bounds
 * the wait for one that has vanished without a trace.
 */
const DIAL_TIMEOUT_MS = 3000;

/** Longest wait for the gateway's `101 Switching Protocols`. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

type Phase = 'dialing' | 'handshake' | 'open' | 'closed';

/**
 * What a connection needs from the router that created it. One set serves
 * every connection: a closure per connection here would live as long as
 * the connection.
 */
export interface ConnectionDeps {
  readonly pool: UpstreamPool;
  readonly proxy: httpProxy;
  readonly logger: Logger;
  /** Called with the upstream socket before http-proxy gets it. */
  readonly onDialed: (socket: Socket, connection: ProxiedConnection) => void;
  /** Called once, when the connection is over. */
  readonly onClosed: (connection: ProxiedConnection) => void;
}

/**
 * One client WebSocket from the upgrade request to the last byte: dials a
 * gateway (retrying once elsewhere if it refuses), lets http-proxy do the
 * handshake, then is a plain byte pipe until either side closes. It holds
 * the lease that counts it on its upstream and its client address's claim,
 * and gives both back when it closes.
 */
export class ProxiedConnection {
  private phase: Phase = 'dialing';

  private lease: UpstreamLease | undefined;

  private upstreamSocket: Socket | undefined;

  private retried = false;

  /** Dropped once the upgrade is done, so that its timer can be freed. */
  private handshakeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly client: Duplex,
    private readonly head: Buffer,
    private readonly claim: AddressClaim,
    private readonly deps: ConnectionDeps,
  ) {
    this.handshakeTimer = setTimeout(
      () => this.reject(Rejection.GatewayTimeout, 'handshake timed out'),
      HANDSHAKE_TIMEOUT_MS,
    );

    client.once('close', () => this.close('client closed'));

    // Nothing reads the client's socket until the upgrade completes, so a
    // client that gave up mid-handshake would go unnoticed until the
    // timeout, holding its place in every count. Watching in paused mode
    // sees its end without taking bytes that belong to the gateway. The
    // HTTP server's sockets allow half-open connections, so that end is
    // not followed by a close: the connection has to close itself.
    client.on('readable', this.watchClient);
    client.once('end', () => {
      if (this.phase !== 'open') this.close('client went away');
    });
  }

  /** The upstream the connection is on, or is trying. */
  get upstream(): Upstream | undefined {
    return this.lease?.upstream;
  }

  /** Starts with the upstream the pool picked. */
  start(upstream: Upstream): void {
    this.dial(upstream);
  }

  /**
   * Called by the router when http-proxy has sent the client its 101.
   * Returns whether this call opened it, so an upgrade is counted once.
   */
  markOpen(): boolean {
    if (this.phase !== 'handshake') return false;

    this.phase = 'open';
    this.stopWatchingClient();
    this.stopHandshakeTimer();
    this.replacePipe();
    this.lease?.markOpen();
    this.deps.logger.debug({ upstream: this.upstream?.id }, 'connection open');
    return true;
  }

  /**
   * The error handler for both sockets and for http-proxy. Before the
   * upgrade the client still gets an HTTP answer; after it, both sockets
   * are dropped, since nothing can be said inside the byte stream.
   */
  fail(error: Error): void {
    const reason = errorReason(error);

    if (this.phase === 'dialing' || this.phase === 'handshake') {
      this.reject(Rejection.BadGateway, reason);
      return;
    }

    this.close(reason, true);
  }

  /** Drops both sockets at once, as on shutdown. */
  destroy(reason: string): void {
    this.close(reason, true);
  }

  /**
   * `read(0)` consumes nothing; once the client's end has arrived and no
   * byte is waiting, it makes the socket emit `'end'`. A client that sent
   * bytes before the 101 is left to the handshake timeout.
   */
  private readonly watchClient = (): void => {
    if (this.client.readableLength === 0) this.client.read(0);
  };

  /**
   * Hands reading over to http-proxy's pipe. Node resumes the flow on the
   * next tick once no `'readable'` listener is left, so a pipe set up
   * before this call still starts.
   */
  private stopWatchingClient(): void {
    this.client.off('readable', this.watchClient);
  }

  /**
   * http-proxy has just piped the two sockets into each other (its `'open'`
   * comes right after, before a byte has flowed); the shared join does the
   * same for a fraction of the memory an idle connection would keep.
   */
  private replacePipe(): void {
    const upstream = this.upstreamSocket;
    if (!upstream) return;

    upstream.unpipe(this.client);
    this.client.unpipe(upstream);
    joinSockets(this.client, upstream);
  }

  private stopHandshakeTimer(): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  private dial(upstream: Upstream): void {
    this.lease = new UpstreamLease(upstream);

    const socket = connect({ host: upstream.host, port: upstream.port });
    this.upstreamSocket = socket;

    // A timer of its own rather than the socket's idle timeout: a socket
    // keeps its last timeout object (and a listener) for its whole life,
    // and this one is only needed until the connect.
    const dialTimer = setTimeout(() => {
      socket.destroy(new Error(`no connection in ${DIAL_TIMEOUT_MS} ms`));
    }, DIAL_TIMEOUT_MS);

    // `socket.connecting` is already false when a refusal is emitted, so
    // the connection remembers for itself whether this dial got through.
    let connected = false;
    socket.on('error', (error) => {
      clearTimeout(dialTimer);
      if (connected) this.fail(error);
      else this.dialFailed(error);
    });
    socket.once('connect', () => {
      clearTimeout(dialTimer);
      connected = true;
      this.proxyOver(socket, upstream);
    });
  }

  /**
   * The upstream could not be reached at all, so it is down whatever its
   * last probe said; mark it so the next client does not try it too.
   */
  private dialFailed(error: Error): void {
    if (this.phase !== 'dialing') return;

    const failed = this.lease?.upstream;
    const reason = errorReason(error);
    this.lease?.release();
    if (failed) this.deps.pool.markDown(failed, reason);

    const next = this.retried ? undefined : this.deps.pool.pick();
    if (!next) {
      this.reject(Rejection.BadGateway, reason);
      return;
    }

    this.retried = true;
    this.deps.logger.warn(
      { upstream: failed?.id, retry: next.id, reason },
      'upstream refused a connection, retrying on another',
    );
    this.dial(next);
  }

  private proxyOver(socket: Socket, upstream: Upstream): void {
    if (this.phase !== 'dialing') {
      socket.destroy();
      return;
    }

    this.phase = 'handshake';
    socket.once('close', () => this.close('upstream closed'));
    this.deps.onDialed(socket, this);

    const target = {
      protocol: 'http:',
      host: upstream.host,
      port: upstream.port,
    };
    const agent = new DialedAgent(socket);
    this.deps.proxy.ws(
      this.req,
      this.client,
      this.head,
      { target, agent },
      (error) => this.fail(error),
    );
  }

  private reject(rejection: UpgradeRejection, reason: string): void {
    if (this.phase === 'open' || this.phase === 'closed') return;

    // Only the upstream side gets here before the upgrade: a client that
    // resets closes the connection first, so this is the gateway's fault.
    this.deps.logger.warn(
      { upstream: this.upstream?.id, status: rejection.status, reason },
      'upgrade failed at the upstream',
    );
    rejectUpgrade(this.client, rejection);
    this.close(reason, false);
  }

  /**
   * Ends the connection once, whichever event comes first. After the
   * upgrade a clean close on one side ends the other, so that its last
   * bytes (a close frame) still get through; an error destroys both. An
   * upstream that never completed the upgrade has nothing worth flushing.
   */
  private close(reason: string, abrupt = false): void {
    if (this.phase === 'closed') return;

    const wasOpen = this.phase === 'open';
    this.phase = 'closed';
    this.stopWatchingClient();
    this.stopHandshakeTimer();
    this.lease?.release();
    this.claim.release();

    if (abrupt) this.client.destroy();
    else if (!this.client.writableEnded) endSocket(this.client);

    if (abrupt || !wasOpen) this.upstreamSocket?.destroy();
    else if (this.upstreamSocket) endSocket(this.upstreamSocket);

    if (wasOpen) {
      this.deps.logger.debug(
        { upstream: this.upstream?.id, reason },
        'connection closed',
      );
    }
    this.deps.onClosed(this);
  }
}

function errorReason(error: Error): string {
  const { code } = error as NodeJS.ErrnoException;
  return code ?? error.message;
}
