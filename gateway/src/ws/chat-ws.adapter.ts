import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable, lastValueFrom } from 'rxjs';
import type { RawData, WebSocket, WebSocketServer } from 'ws';

import type { Logger } from '../logging/logger.js';
import {
  CloseCode,
  ErrorCode,
  ServerEvent,
  type ErrorData,
} from '../protocol/index.js';
import { isParsedFrame, parseFrame, type ParsedFrame } from './frame-parser.js';
import { sendBounded } from './bounded-send.js';
import { ClientLane } from './client-lane.js';
import { HandlerIndex, type BoundHandler } from './handler-index.js';
import { Heartbeat } from './heartbeat.js';
import { originAllowed, type OriginPolicy } from './origin-policy.js';

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

  private readonly handlerIndex = new HandlerIndex();

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
  ): void {
    // Nest's result transform is not kept: it would hold on to the list
    // Nest built for this client; `handle` unwraps results itself.
    const lane = new ClientLane(
      this.handlerIndex.bind(handlers),
      this.options.rateLimit,
    );
    client.on('message', (raw: RawData, isBinary: boolean) => {
      this.receive(client, lane, raw, isBinary);
    });
  }

  private receive(
    client: WebSocket,
    lane: ClientLane,
    raw: RawData,
    isBinary: boolean,
  ): void {
    const { perSecond, burst } = this.options.rateLimit;

    // Counted before parsing: garbage costs the sender as much as a send.
    if (!lane.bucket.take()) {
      this.options.rejected(ErrorCode.RateLimited);
      // A client that goes on and on past its limit is not a person
      // typing fast: answering each frame would only feed it.
      if (++lane.refusedInRow > burst * FLOOD_FACTOR) {
        client.close(CloseCode.PolicyViolation, 'flooding');
        return;
      }
      this.sendError(client, {
        code: ErrorCode.RateLimited,
        message: `More than ${perSecond} frames per second; slow down`,
        ref: null,
      });
      return;
    }
    lane.refusedInRow = 0;

    const frame = parseFrame(raw, isBinary);
    if (!isParsedFrame(frame)) {
      this.options.rejected(frame.code);
      this.sendError(client, frame);
      return;
    }

    const position = this.handlerIndex.find(frame.event);
    const handler =
      position === undefined ? undefined : lane.handlers[position];
    if (!handler) {
      this.options.rejected(ErrorCode.UnknownEvent);
      this.sendError(client, {
        code: ErrorCode.UnknownEvent,
        message: `Unknown event ${frame.event.slice(0, 64)}`,
        ref: frame.event.slice(0, 64),
      });
      return;
    }

    lane.enqueue(
      () => this.handle(client, frame, handler),
      (err: unknown) => {
        this.log.error({ err, event: frame.event }, 'a handler failed');
      },
    );
  }

  /**
   * Runs a handler and sends its reply, if it has one. Nest's handlers
   * resolve to a value or to an observable of them (the stock adapter's
   * transform): the last value is the reply.
   */
  private async handle(
    client: WebSocket,
    frame: ParsedFrame,
    handler: BoundHandler,
  ): Promise<void> {
    const result: unknown = await handler(frame.data, frame.event);
    const reply = isObservable(result)
      ? await lastValueFrom(result, { defaultValue: undefined })
      : result;

    if (reply !== undefined) {
      this.sendBounded(client, reply);
    }
  }

  private sendError(client: WebSocket, data: ErrorData): void {
    this.sendBounded(client, { event: ServerEvent.Error, data });
  }

  private sendBounded(client: WebSocket, frame: unknown): void {
    sendBounded(client, JSON.stringify(frame), this.options.maxBufferedBytes);
  }

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    // A client error (an oversized or malformed frame) is the client's
    // fault: ws closes that connection with the right code, and a public
    // socket must not be able to flood the log with stacks.
    server.on('connection', (ws: WebSocket, request: IncomingMessage) => {
      // Only the socket is kept: the request, with all its headers, would
      // otherwise live as long as the connection.
      const socket = request.socket;
      ws.on('error', (err: Error & { code?: string }) => {
        this.log.debug({ err: err.message }, 'client connection error');
        if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
          stopReading(ws, socket);
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
function stopReading(ws: WebSocket, socket: Socket): void {
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
