/**
 * Frames for fuzzing: valid frames with a field flipped, random bytes,
 * deep nesting, huge numbers, odd Unicode. A seeded generator keeps a run
 * repeatable.
 */
export class FuzzFrames {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** The next frame: a string, or a Buffer for raw bytes. */
  next(room: string): string | Buffer {
    const kind = this.int(8);
    switch (kind) {
      case 0:
        return this.bytes(1 + this.int(200));
      case 1:
        return '['.repeat(1000 + this.int(5000));
      case 2:
        return JSON.stringify({
          event: 'send',
          data: { room, text: this.value(), id: this.value() },
        });
      case 3:
        return JSON.stringify({
          event: this.pick(['join', 'leave', 'resume', 'send', 'ping']),
          data: { room: this.value(), nick: this.value(), after: this.value() },
        });
      case 4:
        return JSON.stringify({
          event: 'resume',
          data: { room, after: 1e308 },
        });
      case 5:
        return `{"event":"send","data":${'{"a":'.repeat(500)}1${'}'.repeat(500)}}`;
      case 6:
        return JSON.stringify(this.value());
      default:
        return JSON.stringify({
          event: 'send',
          data: {
            room,
            text: `fuzz ${this.int(1e6)}`,
            id: `z${this.int(1e9)}`,
          },
        }).slice(0, 10 + this.int(60));
    }
  }

  private value(): unknown {
    return this.pick<unknown>([
      null,
      true,
      -1,
      2 ** 53 + 1,
      1e308,
      '',
      '\u0000',
      '\ud800',
      '\u202e',
      'x'.repeat(5000),
      [],
      {},
      { toString: 1 },
      '__proto__',
    ]);
  }

  private bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }

  private pick<T>(values: T[]): T {
    return values[this.int(values.length)];
  }

  /** xorshift32: small, fast and good enough to shuffle inputs. */
  private int(below: number): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state % below;
  }
}
