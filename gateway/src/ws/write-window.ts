import type { Socket } from 'node:net';

/** Bytes held for one socket at most; more leave at once. */
const MAX_HELD_BYTES = 64 * 1024;

/** Injection token of the instance's one WriteWindow. */
export const WRITE_WINDOW = Symbol('WRITE_WINDOW');

/**
 * Lets the frames an instance writes within a short window leave together,
 * one system call per connection. On a busy instance most of the CPU goes
 * into the kernel, one write per frame per connection, and every byte is
 * written once more by the balancer and read once more by the client: a
 * room message fanned out to many members costs a write per member,
 * whatever its size. Frames that leave together cost one write, one read
 * and one write at the balancer, and one read at the client.
 *
 * Writes are let out at most once per window. A frame that finds the last
 * release a window ago or longer leaves as soon as the instance has handled
 * the I/O at hand, so a quiet instance adds no delay; under load frames
 * wait for at most one window, and the busier the instance, the more
 * frames share each write.
 */
export class WriteWindow {
  private readonly held = new Set<Socket>();

  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  private releasedAt = Number.NEGATIVE_INFINITY;

  private frames = 0;

  /**
   * @param released told after each release how many frames were held and
   *   in how many socket writes they left
   */
  constructor(
    private readonly windowMs: number,
    private readonly released: (frames: number, writes: number) => void,
  ) {}

  /** Holds the socket's writes, the one about to be made included. */
  hold(socket: Socket): void {
    this.frames++;
    if (!this.held.has(socket)) {
      socket.cork();
      this.held.add(socket);
    } else if (socket.writableLength >= MAX_HELD_BYTES) {
      // Past this much, holding saves no system call, and what waits here
      // counts against the reader as if it were the one falling behind.
      socket.uncork();
      socket.cork();
    }
    if (this.timer) return;

    const wait = this.releasedAt + this.windowMs - performance.now();
    this.timer =
      wait >= 1 ? setTimeout(this.release, wait) : setImmediate(this.release);
  }

  /** Lets every held socket write now. */
  readonly release = (): void => {
    this.timer = undefined;
    this.releasedAt = performance.now();

    // A socket closed meanwhile has nothing left to flush; uncorking it is
    // harmless either way.
    const sockets = [...this.held];
    const frames = this.frames;
    this.held.clear();
    this.frames = 0;
    for (const socket of sockets) socket.uncork();

    this.released(frames, sockets.length);
  };
}
