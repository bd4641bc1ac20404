import { readFileSync } from 'node:fs';

import { ConfigError } from './config-error.js';
import type { UpstreamAddress } from './upstream.js';

/**
 * Parses `host:port` entries separated by commas, white space or line
 * breaks; `#` starts a comment that runs to the end of its line. `source`
 * names where the list came from in the error of a bad entry.
 */
export function parseUpstreamList(
  list: string,
  source: string,
): UpstreamAddress[] {
  const entries = list
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join(',')
    .split(/[\s,]+/)
    .filter((entry) => entry !== '');

  return checked(
    entries.map((entry) => parseHostPort(entry, source)),
    source,
  );
}

/**
 * Reads an upstreams file: a JSON array of `"host:port"` strings, or plain
 * text in the form parseUpstreamList takes. Throws a ConfigError naming the
 * file when it cannot be read or holds no valid list.
 */
export function readUpstreamsFile(path: string): UpstreamAddress[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    throw new ConfigError(`UPSTREAMS_FILE ${path} cannot be read (${code})`);
  }

  const source = `UPSTREAMS_FILE ${path}`;
  if (!text.trimStart().startsWith('[')) {
    return parseUpstreamList(text, source);
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`${source} is not valid JSON`);
  }

  if (
    !Array.isArray(parsed) ||
    !parsed.every((entry) => typeof entry === 'string')
  ) {
    throw new ConfigError(`${source} must be a JSON array of "host:port"`);
  }

  return checked(
    parsed.map((entry) => parseHostPort(entry.trim(), source)),
    source,
  );
}

/** Accepts `host:port` and `[ipv6]:port`. */
function parseHostPort(entry: string, source: string): UpstreamAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(entry);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);

  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(
      `${source} entry "${entry}" is not host:port with a port 1-65535`,
    );
  }

  return { host, port };
}

/** A list must name at least one upstream, and none twice. */
function checked(
  upstreams: UpstreamAddress[],
  source: string,
): UpstreamAddress[] {
  if (upstreams.length === 0) {
    throw new ConfigError(`${source} must list at least one host:port`);
  }

  const ids = new Set(upstreams.map(({ host, port }) => `${host}:${port}`));
  if (ids.size !== upstreams.length) {
    throw new ConfigError(`${source} lists the same host:port twice`);
  }

  return upstreams;
}
