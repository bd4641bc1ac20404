import type { Duplex } from 'node:stream';

/** Where each joined socket's bytes go. */
const peers = new WeakMap<Duplex, Duplex>();

/**
 * Joins two sockets both ways, as `a.pipe(b).pipe(a)` does: bytes flow
 * with backpressure, and an end on one side ends the other. A stream pipe
 * keeps a dozen closures per direction for the life of the connection,
 * about two kilobytes for an idle client; these listeners are shared by
 * every connection. Errors and closes stay with the sockets' owner.
 */
export function joinSockets(a: Duplex, b: Duplex): void {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ]) {
    peers.set(from, to);
    from.on('data', forward);
    from.on('end', endPeer);
    from.on('drain', resumePeer);
  }

  // An unpipe leaves a socket paused, and a new 'data' listener does not
  // resume a stream that was paused on purpose.
  a.resume();
  b.resume();
}

function forward(this: Duplex, chunk: Buffer): void {
  const peer = peers.get(this);
  if (peer && !peer.write(chunk)) this.pause();
}

/** The socket drained: its peer may send again. */
function resumePeer(this: Duplex): void {
  peers.get(this)?.resume();
}

function endPeer(this: Duplex): void {
  const peer = peers.get(this);
  if (peer && !peer.writableEnded) peer.end();
}
