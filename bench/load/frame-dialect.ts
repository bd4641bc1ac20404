import type { DialectName } from './load-messages.js';

/** What a received frame means to the load generator. */
export type FrameKind =
  'hello' | 'joined' | 'ack' | 'message' | 'error' | 'ping' | 'other';

/**
 * How one kind of server frames the few things the bench does: greet, join,
 * send, deliver. Frames stay Buffers: they are classified by their first
 * bytes and read with `indexOf`, never decoded whole nor parsed. The
 * generator shares two cores with the system it measures, and at 100,000
 * deliveries a second decoding and parsing every frame would cost it a
 * good part of one.
 */
export interface FrameDialect {
  /** The first frame the client sends once the socket is open, if any. */
  readonly opening: string | null;
  /** The answer to a server's ping frame, for protocols that have one. */
  readonly pong: string | null;
  classify(frame: Buffer): FrameKind;
  join(room: string, nick: string): string;
  send(room: string, id: string, text: string, ackId: number): string;
}

/** Enough of a frame's start to tell every kind apart. */
const HEAD_BYTES = 20;

/** The chat's `{event, data}` frames; the ws ceiling speaks them too. */
class ChatDialect implements FrameDialect {
  readonly opening = null;
  readonly pong = null;

  classify(frame: Buffer): FrameKind {
    const head = frame.toString('latin1', 0, HEAD_BYTES);
    if (head.startsWith('{"event":"message"')) return 'message';
    if (head.startsWith('{"event":"ack"')) return 'ack';
    if (head.startsWith('{"event":"hello"')) return 'hello';
    if (head.startsWith('{"event":"joined"')) return 'joined';
    if (head.startsWith('{"event":"error"')) return 'error';
    if (head.startsWith('{"event":')) return 'other';

    // A server that put `data` first would still be understood, slowly.
    const parsed = JSON.parse(frame.toString('utf8')) as { event?: unknown };
    const known = ['message', 'ack', 'hello', 'joined', 'error'];
    return known.includes(parsed.event as string)
      ? (parsed.event as FrameKind)
      : 'other';
  }

  join(room: string, nick: string): string {
    return JSON.stringify({ event: 'join', data: { room, nick } });
  }

  send(room: string, id: string, text: string): string {
    return JSON.stringify({ event: 'send', data: { room, text, id } });
  }
}

/**
 * Engine.IO 4 over a WebSocket, carrying Socket.IO 5 packets: `4` is an
 * Engine.IO message, then `0` connect, `2` event or `3` ack, an optional
 * ack id, and the JSON arguments. The join uses ack id 0 and sends count
 * from 1, so that the join's answer is told apart by its prefix.
 */
class SocketIoDialect implements FrameDialect {
  readonly opening = '40';
  readonly pong = '3';

  classify(frame: Buffer): FrameKind {
    const head = frame.toString('latin1', 0, HEAD_BYTES);
    if (head.startsWith('42["message"')) return 'message';
    if (head.startsWith('430[')) return 'joined';
    if (head.startsWith('43')) return 'ack';
    if (head.startsWith('40')) return 'hello';
    if (head === '2') return 'ping';
    if (head.startsWith('44')) return 'error';

    return 'other';
  }

  join(room: string, nick: string): string {
    return `420${JSON.stringify(['join', { room, nick }])}`;
  }

  send(room: string, id: string, text: string, ackId: number): string {
    return `42${ackId}${JSON.stringify(['send', { room, text, id }])}`;
  }
}

/** The dialect of a name. */
export function frameDialect(name: DialectName): FrameDialect {
  return name === 'chat' ? new ChatDialect() : new SocketIoDialect();
}

const QUOTE = 0x22;

/**
 * The string value of `"key":"…"` in a frame, without unescaping: the
 * bench's own ids, times and server names are ASCII and need none.
 */
export function stringField(frame: Buffer, key: string): string | null {
  const marker = `"${key}":"`;
  const start = frame.indexOf(marker);
  if (start < 0) {
    return null;
  }

  const from = start + marker.length;
  const end = frame.indexOf(QUOTE, from);
  return end < 0 ? null : frame.toString('latin1', from, end);
}
