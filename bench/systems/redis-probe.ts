import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

/** The machine's Redis, shared: the peer uses it with its own key prefix. */
export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;

/** Whether a Redis answers PING on 127.0.0.1:6379 within `timeoutMs`. */
export function redisAnswers(timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(REDIS_PORT, REDIS_HOST);
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);

    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.once('error', () => done(false));
  });
}

/**
 * The pid of the one redis-server process on the machine, read from /proc,
 * so that its CPU time counts towards the peer as the bus's counts towards
 * the chat. Undefined when there is none or more than one.
 */
export function findRedisPid(): number | undefined {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'redis-server') found.push(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }

  return found.length === 1 ? found[0] : undefined;
}

/** The Redis server's version from INFO, or null when none answers. */
export function redisVersion(timeoutMs = 1000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect(REDIS_PORT, REDIS_HOST);
    let text = '';
    const done = (version: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(version);
    };
    const timer = setTimeout(() => done(null), timeoutMs);

    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (data) => {
      text += data.toString();
      const match = /redis_version:([^\r\n]+)/.exec(text);
      if (match) done(match[1]);
    });
    socket.once('error', () => done(null));
  });
}
