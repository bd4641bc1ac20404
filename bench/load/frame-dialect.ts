import type { DialectName } from './load-messages.js';

/** What a received frame means to the load generator. */
export type FrameKind =
  'hello' | 'joined' | 'ack' | 'message' | 'error' | 'ping' | 'other';

/**
 * How one kind of server frames the few things the bench does: greet, join,
 * send, deliver. Frames are classified by their first bytes and read with
 * `indexOf`, not `JSON.parse`: the generator shares two cores with the
 * system it measures, and at 100,000 deliveries a second parsing every
 * frame would cost it a good part of one.
 */
export interface FrameDialect {
  /** The first frame the client sends once the socket is open, if any. */
  readonly opening: string | null;
  /** The answer to a server's ping frame, for protocols that have one. */
  readonly pong: string | null;
  classify(frame: string): FrameKind;
  join(room: string, nick: string): string;
  send(room: string, id: string, text: string, ackId: number): string;
}

/** The chat's `{event, data}` frames; the ws ceiling speaks them too. */
class ChatDialect implements FrameDialect {
  readonly opening = null;
  readonly pong = null;

  classify(frame: string): FrameKind {
    if (frame.startsWith('{"event":"message"')) return 'message';
    if (frame.startsWith('{"event":"ack"')) return 'ack';
    if (frame.startsWith('{"event":"hello"')) return 'hello';
    if (frame.startsWith('{"event":"joined"')) return 'joined';
    if (frame.startsWith('{"event":"error"')) return 'error';
    if (frame.startsWith('{"event":')) return 'other';

    // A server that put `data` first would still be understood, slowly.
    const parsed = JSON.parse(frame) as { event?: unknown };
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

  classify(frame: string): FrameKind {
    if (frame.startsWith('42["message"')) return 'message';
    if (frame.startsWith('430[')) return 'joined';
    if (frame.startsWith('43')) return 'ack';
    if (frame.startsWith('40')) return 'hello';
    if (frame === '2') return 'ping';
    if (frame.startsWith('44')) return 'error';

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

/**
 * The string value of `"key":"…"` in a frame, without unescaping: the
 * bench's own ids, times and server names need none.
 */
export function stringField(frame: string, key: string): string | null {
  const marker = `"${key}":"`;
  const start = frame.indexOf(marker);
  if (start < 0) {
    return null;
  }

  const from = start + marker.length;
  const end = frame.indexOf('"', from);
  return end < 0 ? null : frame.slice(from, end);
}
