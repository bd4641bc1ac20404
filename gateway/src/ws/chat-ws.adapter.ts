import type { IncomingMessage } from 'node:http';

import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { lastValueFrom, type Observable } from 'rxjs';
import type { WebSocket, WebSocketServer } from 'ws';

import type { Logger } from '../logging/logger.js';
import {
  CloseCode,
  ErrorCode,
  ServerEvent,
  type ErrorData,
} from '../protocol/index.js';
import { isParsedFrame, parseFrame, type ParsedFrame } from './frame-parser.js';
import { sendBounded } from './bounded-send.js';
import { Heartbeat } from './heartbeat.js';
import { originAllowed, type OriginPolicy } from './origin-policy.js';
import { TokenBucket } from './token-bucket.js';

/** Settings of the adapter that the gateway decorator cannot take. */
export interface ChatWsAdapterOptions {
  maxPayloadBytes: number;
  /** How often clients are pinged; one missed pong drops the client. */
  heartbeatMs: number;
  /** Frames per second per connection, and the burst allowed. */
  rateLimit: { perSecond: number; burst: number };
  /** Which browser pages may open a socket. */
  originPolicy: OriginPolicy;
  /** Unread bytes a client may let pile up before it is dropped. */
  maxBufferedBytes: number;
  /** Told of every frame refused before it reached a handler. */
  rejected: (code: ErrorData['code']) => void;
  logger: Logger;
}

/**
 * The WsAdapter with the protocol's error handling. The stock adapter drops
 * non-JSON frames and unknown events without a word; ours answers each with
 * a coded `error` frame and keeps the connection open. It also handles one
 * connection's frames one after another, so that a `send` right behind its
 * `join` finds the room joined, and replies leave in request order.
 */
export class ChatWsAdapter extends WsAdapter {
  private readonly log: Logger;

  constructor(
    app: INestApplicationContext,
    private readonly options: ChatWsAdapterOptions,
  ) {
    super(app);
    this.log = options.logger.child({ component: 'ws' });
  }

  override create(
    port: number,
    options: Record<string, unknown> & { path?: string },
  ): WebSocketServer {
    const server = super.create(port, {
      ...options,
      maxPayload: this.options.maxPayloadBytes,
      // Compression costs CPU and memory per connection, and chat frames
      // are small.
      perMessageDeflate: false,
      verifyClient: (
        info: { req: IncomingMessage },
        done: (ok: boolean, code?: number, message?: string) => void,
      ) => {
        if (originAllowed(info.req, this.options.originPolicy)) {
          done(true);
          return;
        }
        this.log.debug(
          { origin: info.req.headers.origin },
          'refused an upgrade from a foreign origin',
        );
        done(false, 403, 'Forbidden origin');
      },
    }) as WebSocketServer;

    new Heartbeat(server, this.options.heartbeatMs, () => {
      this.log.debug('dropped a client that stopped answering pings');
    }).start();

    return server;
  }

  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const byEvent = new Map(handlers.map((h) => [String(h.message), h]));
    const { perSecond, burst } = this.options.rateLimit;
    const bucket = new TokenBucket(perSecond, burst);
    const sendError = (data: ErrorData) =>
      this.sendBounded(client, { event: ServerEvent.Error, data });
    let refusedInRow = 0;
    let queue: Promise<void> = Promise.resolve();

    client.on('message', (raw, isBinary) => {
      // Counted before parsing: garbage costs the sender as much as a send.
      if (!bucket.take()) {
        this.options.rejected(ErrorCode.RateLimited);
        // A client that goes on and on past its limit is not a person
        // typing fast: answering each frame would only feed it.
        if (++refusedInRow > burst * FLOOD_FACTOR) {
          client.close(CloseCode.PolicyViolation, 'flooding');
          return;
        }
        sendError({
          code: ErrorCode.RateLimited,
          message: `More than ${perSecond} frames per second; slow down`,
          ref: null,
        });
        return;
      }
      refusedInRow = 0;

      const frame = parseFrame(raw, isBinary);
      if (!isParsedFrame(frame)) {
        this.options.rejected(frame.code);
        sendError(frame);
        return;
      }

      const handler = byEvent.get(frame.event);
      if (!handler) {
        this.options.rejected(ErrorCode.UnknownEvent);
        sendError({
          code: ErrorCode.UnknownEvent,
          message: `Unknown event ${frame.event.slice(0, 64)}`,
          ref: frame.event.slice(0, 64),
        });
        return;
      }

      queue = queue
        .then(() => this.handle(client, frame, handler, transform))
        .catch((err: unknown) => {
          this.log.error({ err, event: frame.event }, 'a handler failed');
        });
    });
  }

  private async handle(
    client: WebSocket,
    frame: ParsedFrame,
    handler: MessageMappingProperties,
    transform: (data: unknown) => Observable<unknown>,
  ): Promise<void> {
    const reply = await lastValueFrom(
      transform(handler.callback(frame.data, frame.event)),
      { defaultValue: undefined },
    );

    if (reply !== undefined) {
      this.sendBounded(client, reply);
    }
  }

  private sendBounded(client: WebSocket, frame: unknown): void {
    sendBounded(client, JSON.stringify(frame), this.options.maxBufferedBytes);
  }

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    // A client error (an oversized or malformed frame) is the client's
    // fault: ws closes that connection with the right code, and a public
    // socket must not be able to flood the log with stacks.
    server.on('connection', (ws: WebSocket, request: IncomingMessage) => {
      ws.on('error', (err: Error & { code?: string }) => {
        this.log.debug({ err: err.message }, 'client connection error');
        if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
          stopReading(ws, request);
        }
      });
    });
    server.on('error', (err) => {
      this.log.error({ err }, 'WebSocket server error');
    });

    return server;
  }
}

/**
 * After an oversized frame, ws sends its 1009 close frame and keeps reading
 * (and discarding) the rest of the frame until the peer closes: a client
 * sending 100 MB makes the instance read 100 MB. Stop reading instead, let
 * the close frame out with a FIN, and drop the socket shortly after.
 */
function stopReading(ws: WebSocket, request: IncomingMessage): void {
  const socket = request.socket;

  // ws resumes the socket on the next tick; pause after it does.
  setImmediate(() => {
    socket.pause();
    socket.end();
  });
  setTimeout(() => ws.terminate(), OVERSIZE_GRACE_MS).unref();
}

/** How long a peer that sent an oversized frame gets to read the close. */
const OVERSIZE_GRACE_MS = 1000;

/**
 * Refused frames in a row, in bursts, after which a connection is closed
 * for flooding (1008).
 */
const FLOOD_FACTOR = 10;
