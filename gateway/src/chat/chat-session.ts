import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';

import type { WebSocket } from 'ws';

import type { ServerFrame } from '../protocol/index.js';
import { sendBounded } from '../ws/bounded-send.js';
import type { WriteWindow } from '../ws/write-window.js';

/** What a session knows of one room it has joined. */
export interface Membership {
  nick: string;
  /**
   * Seq of the last message this session was sent in the room. A message
   * at or below it is never sent again, whichever path it comes by.
   */
  cursor: number;
  /** When this session's typing in the room was last relayed. */
  typingAt: number;
}

/**
 * One client connection to this instance. The token identifies the person
 * behind it across reconnects; only its hash ever leaves the instance.
 */
export class ChatSession {
  readonly rooms = new Map<string, Membership>();
  private tokenValue: string;
  private holderValue: string;

  private dropped = false;

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    readonly address: string,
    /** The TCP socket under `socket`, whose writes the window holds. */
    private readonly transport: Socket,
    private readonly window: WriteWindow,
    private readonly maxBufferedBytes: number,
    private readonly onDrop: (session: ChatSession) => void,
  ) {
    this.tokenValue = randomBytes(18).toString('base64url');
    this.holderValue = hashToken(this.tokenValue);
  }

  get token(): string {
    return this.tokenValue;
  }

  /** The hash of the token, as presence leases carry it. */
  get holder(): string {
    return this.holderValue;
  }

  /** Adopts the token a reconnecting client presents. */
  adoptToken(token: string): void {
    this.tokenValue = token;
    this.holderValue = hashToken(token);
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** Sends a frame encoded once for many sessions; see sendBounded. */
  sendRaw(text: string | Buffer): void {
    if (this.dropped) {
      return;
    }

    this.window.hold(this.transport);
    const open = this.socket.readyState === this.socket.OPEN;
    if (!sendBounded(this.socket, text, this.maxBufferedBytes) && open) {
      this.dropped = true;
      this.onDrop(this);
    }
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22);
}
