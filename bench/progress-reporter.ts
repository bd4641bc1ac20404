/**
 * The bench's progress on stderr: which system, which scenario, which
 * stage. On a terminal the line is rewritten in place; in a log each stage
 * is a line of its own.
 */
export class ProgressReporter {
  private readonly started = performance.now();
  private readonly inPlace = process.stderr.isTTY;
  private system = '';
  private scenario = '';

  enter(system: string, scenario = ''): void {
    this.system = system;
    this.scenario = scenario;
    this.stage(scenario ? 'starting' : 'starting the system');
  }

  stage(text: string): void {
    const seconds = ((performance.now() - this.started) / 1000).toFixed(0);
    const where = [this.system, this.scenario].filter(Boolean).join(' › ');
    const line = `[bench ${seconds.padStart(4)} s] ${where} · ${text}`;

    if (this.inPlace) {
      process.stderr.write(`\r\x1b[2K${line}`);
    } else {
      process.stderr.write(`${line}\n`);
    }
  }

  /** A line that stays, such as a skipped peer. */
  note(text: string): void {
    if (this.inPlace) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`[bench] ${text}\n`);
  }

  done(): void {
    if (this.inPlace) process.stderr.write('\n');
  }
}
