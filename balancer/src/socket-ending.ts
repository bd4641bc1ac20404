import type { Duplex } from 'node:stream';

/**
 * How long an ended socket may take to flush before it is destroyed. A
 * peer that stops reading would otherwise keep it open forever.
 */
const LINGER_MS = 2000;

/**
 * Ends a socket after what was written to it has been flushed, then
 * destroys it; never waits longer than `LINGER_MS`. `destroy()` alone
 * could drop a last status line or close frame still in the buffer.
 */
export function endSocket(socket: Duplex, data?: string): void {
  if (socket.destroyed) return;

  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();

  const destroyNow = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  socket.once('finish', destroyNow);
  socket.once('close', () => clearTimeout(timer));

  if (socket.writableFinished) destroyNow();
  else if (!socket.writableEnded) socket.end(data);
}
