import type { WebSocket } from 'ws';

import { CloseCode } from '../protocol/index.js';

/** How long a dropped slow reader gets to read its close frame. */
const SLOW_GRACE_MS = 1000;

/**
 * Sends a text frame unless the client has stopped reading. A client that
 * does not read lets its send buffer grow; past `maxBufferedBytes` it is
 * dropped instead (1013, then cut, since the close frame waits behind the
 * unread data), so that one stalled reader cannot make the instance hold
 * everything meant for it. Returns false when the frame was not sent.
 */
export function sendBounded(
  socket: WebSocket,
  text: string | Buffer,
  maxBufferedBytes: number,
): boolean {
  if (socket.readyState !== socket.OPEN) {
    return false;
  }

  if (socket.bufferedAmount > maxBufferedBytes) {
    socket.close(CloseCode.TryAgainLater, 'reading too slowly');
    setTimeout(() => socket.terminate(), SLOW_GRACE_MS).unref();
    return false;
  }

  // A Buffer is the UTF-8 of a text frame encoded once for many sockets.
  socket.send(text, { binary: false });
  return true;
}
