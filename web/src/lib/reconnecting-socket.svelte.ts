import { CloseCode } from '$protocol';
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
  #running = false;

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
    this.#connect();
  }

  /** Closes the socket and stops retrying. */
  stop(): void {
    if (!this.#running) return;

    this.#running = false;
    window.removeEventListener('online', this.#onOnline);
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
      this.state = { phase: 'open' };
      this.#listener.opened();
    };
    socket.onmessage = (event: MessageEvent<unknown>) => {
      if (socket !== this.#socket || typeof event.data !== 'string') return;

      this.#listener.received(event.data);
    };
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;

      this.#socket = null;
      window.clearTimeout(this.#connectTimer);
      this.#listener.closed(event.code);
      if (this.#running) this.#scheduleRetry(event.code);
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
    };
    this.#retryTimer = window.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delay);
  }

  #clearTimers(): void {
    window.clearTimeout(this.#retryTimer);
    window.clearTimeout(this.#connectTimer);
    this.#retryTimer = undefined;
    this.#connectTimer = undefined;
  }

  /** The network came back: waiting out the backoff would only delay. */
  readonly #onOnline = (): void => {
    this.retryNow();
  };
}
