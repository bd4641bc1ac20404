import { pino, type Logger } from 'pino';

/**
 * Creates the one structured logger of a process. Every line carries the
 * instance name, so that the merged output of `pm2 logs` stays readable.
 */
export function createLogger(instance: string, level: string): Logger {
  return pino(
    {
      level,
      base: { instance, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Synchronous: the last lines before a signal ends the process (Nest
    // re-raises SIGINT after its shutdown hooks) would else be lost in a
    // buffer. There are a few lines a minute, never one per message.
    pino.destination({ dest: 1, sync: true }),
  );
}

export type { Logger };

/** Injection token of the process's pino logger. */
export const LOGGER = Symbol('LOGGER');
