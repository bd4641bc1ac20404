import { ClientEvent, CloseCode } from '$protocol';
import { backoffDelay, RECONNECT_BACKOFF, type BackoffPolicy } from './backoff';
import type { ConnectionState } from './connection-state';

/** What the owner of a {@link ReconnectingSocket} is told. */
export interface SocketListener {
  /** A socket opened; earlier ones are gone. */
  opened(): void;
  /** A text frame arrived on the open socket. */
  received(text: string): void;
  /** The open or opening socket is gone; a retry may follow. */
  closed(code: number): void;
  /** The page became visible again with the socket open. */
  returned(): void;
}

/**
 * A socket that stalls in CONNECTING (an upstream that accepts TCP but never
 * answers the upgrade) is given up after this long.
 */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A connection that lived this long counts as healthy, and the next loss
 * starts the backoff from the beginning. Resetting on open alone would let
 * a gateway that accepts and drops at once be retried in a tight loop.
 */
const STABLE_AFTER_MS = 5_000;

/**
 * Browsers answer WebSocket pings without telling the page, so a frozen
 * path (a half-open TCP connection, a suspended laptop) would look open
 * forever. The page sends its own `ping` this often, and a socket that
 * left a ping unanswered for PING_TIMEOUT_MS is given up.
 *
 * Background tabs run timers once a minute or less, so silence since the
 * last frame proves nothing there: only a ping that was sent and not
 * answered does. Coming back to the foreground pings at once.
 */
const PING_EVERY_MS = 10_000;
const PING_TIMEOUT_MS = 25_000;

/** Close code (private range, RFC 6455 section 7.4.2) for a silent socket. */
const SILENT_CLOSE = 4000;

/**
 * The code a socket reports when it ended without a close frame (RFC 6455
 * section 7.4.1); used as well when no socket could even be created.
 */
const ABNORMAL_CLOSURE = 1006;

/**
 * A WebSocket that reconnects by itself with exponential backoff and full
 * jitter until {@link stop} is called. Its `state` is reactive.
 */
export class ReconnectingSocket {
  state: ConnectionState = $state({ phase: 'idle' });

  readonly #url: string;
  readonly #listener: SocketListener;
  readonly #policy: BackoffPolicy;
  #socket: WebSocket | null = null;
  #attempt = 0;
  #openedAt = 0;
  #retryTimer: number | undefined;
  #connectTimer: number | undefined;
  #pingTimer: number | undefined;
  /** When the oldest ping not yet answered was sent; 0 when none is. */
  #pingSentAt = 0;
  #running = false;
  /** Set from the balancer's answer after a failed connect. */
  #noServer = false;

  constructor(
    url: string,
    listener: SocketListener,
    policy: BackoffPolicy = RECONNECT_BACKOFF,
  ) {
    this.#url = url;
    this.#listener = listener;
    this.#policy = policy;
  }

  /** Opens the first socket; later ones follow on their own. */
  start(): void {
    if (this.#running) return;

    this.#running = true;
    window.addEventListener('online', this.#onOnline);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#connect();
  }

  /** Closes the socket and stops retrying. */
  stop(): void {
    if (!this.#running) return;

    this.#running = false;
    window.removeEventListener('online', this.#onOnline);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#clearTimers();

    const socket = this.#socket;
    this.#socket = null;
    socket?.close(CloseCode.Normal);
    this.state = { phase: 'idle' };
  }

  /** Skips the rest of the wait when a retry is scheduled. */
  retryNow(): void {
    if (!this.#running || this.state.phase !== 'reconnecting') return;

    this.#clearTimers();
    this.#connect();
  }

  /** Sends on the open socket; `false` when there is none. */
  send(text: string): boolean {
    if (this.#socket?.readyState !== WebSocket.OPEN) return false;

    this.#socket.send(text);
    return true;
  }

  #connect(): void {
    this.state = { phase: 'connecting', attempt: this.#attempt };

    let socket: WebSocket;
    try {
      socket = new WebSocket(this.#url);
    } catch {
      this.#scheduleRetry(ABNORMAL_CLOSURE);
      return;
    }

    this.#socket = socket;
    this.#connectTimer = window.setTimeout(() => {
      socket.close();
    }, CONNECT_TIMEOUT_MS);

    // Events of a socket that was replaced or stopped are ignored: its
    // close can arrive after the next socket already opened.
    socket.onopen = () => {
      if (socket !== this.#socket) return;

      window.clearTimeout(this.#connectTimer);
      this.#openedAt = Date.now();
      this.#noServer = false;
      this.#watchLiveness(socket);
      this.state = { phase: 'open' };
      this.#listener.opened();
    };
    socket.onmessage = (event: MessageEvent<unknown>) => {
      if (socket !== this.#socket || typeof event.data !== 'string') return;

      this.#pingSentAt = 0;
      this.#listener.received(event.data);
    };
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;

      const neverOpened = this.#openedAt === 0;
      this.#socket = null;
      window.clearTimeout(this.#connectTimer);
      window.clearInterval(this.#pingTimer);
      this.#listener.closed(event.code);
      if (this.#running) this.#scheduleRetry(event.code);
      if (neverOpened) void this.#askBalancer();
    };
  }

  #scheduleRetry(closeCode: number): void {
    const lived = this.#openedAt === 0 ? 0 : Date.now() - this.#openedAt;
    if (lived >= STABLE_AFTER_MS) this.#attempt = 0;

    this.#openedAt = 0;
    const delay = backoffDelay(this.#attempt, this.#policy);
    this.#attempt += 1;
    this.state = {
      phase: 'reconnecting',
      attempt: this.#attempt,
      nextTryAt: Date.now() + delay,
      closeCode,
      noServer: this.#noServer,
    };
    this.#retryTimer = window.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delay);
  }

  /** Pings the gateway and gives the socket up when a ping goes unanswered. */
  #watchLiveness(socket: WebSocket): void {
    this.#pingSentAt = 0;
    window.clearInterval(this.#pingTimer);
    this.#pingTimer = window.setInterval(() => {
      this.#checkLiveness(socket);
    }, PING_EVERY_MS);
  }

  #checkLiveness(socket: WebSocket): void {
    const unanswered = this.#pingSentAt !== 0;
    if (unanswered && Date.now() - this.#pingSentAt > PING_TIMEOUT_MS) {
      socket.close(SILENT_CLOSE, 'no answer');
      return;
    }

    if (!unanswered) this.#pingSentAt = Date.now();
    socket.send(JSON.stringify({ event: ClientEvent.Ping, data: {} }));
  }

  /**
   * A browser is not told why an upgrade failed. A plain GET on the same
   * path asks the balancer: 503 means that no gateway is up right now.
   */
  async #askBalancer(): Promise<void> {
    try {
      const url = this.#url.replace(/^ws/, 'http');
      const response = await fetch(url, { cache: 'no-store' });
      this.#noServer = response.status === 503;
    } catch {
      this.#noServer = true;
    }

    if (this.state.phase === 'reconnecting') {
      this.state = { ...this.state, noServer: this.#noServer };
    }
  }

  #clearTimers(): void {
    window.clearTimeout(this.#retryTimer);
    window.clearTimeout(this.#connectTimer);
    window.clearInterval(this.#pingTimer);
    this.#retryTimer = undefined;
    this.#connectTimer = undefined;
  }

  /**
   * Back from the background: prove the socket alive now rather than at
   * the next throttled tick, and let the owner catch up on what it missed.
   * A socket that died meanwhile is retried at once.
   */
  readonly #onVisibility = (): void => {
    if (document.visibilityState !== 'visible') return;

    const socket = this.#socket;
    if (socket?.readyState === WebSocket.OPEN) {
      this.#checkLiveness(socket);
      this.#listener.returned();
      return;
    }

    this.retryNow();
  };

  /** The network came back: waiting out the backoff would only delay. */
  readonly #onOnline = (): void => {
    this.retryNow();
  };
}
