import { pino, type LevelWithSilent, type Logger } from 'pino';

/** Levels `LOG_LEVEL` accepts: pino's own, plus `silent` to turn logs off. */
export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const satisfies readonly LevelWithSilent[];

/**
 * Creates the balancer's logger: JSON lines on stdout with `name:
 * "balancer"` on every line, so PM2's merged logs can be told apart.
 * The process makes one and hands it down; parts take a child of it.
 */
export function createLogger(level: LevelWithSilent): Logger {
  // Synchronous, so that the lines written just before a signal ends the
  // process are not lost in a buffer; the balancer logs no per-request line.
  return pino(
    { name: 'balancer', level },
    pino.destination({ dest: 1, sync: true }),
  );
}
