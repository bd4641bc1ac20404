import { describe, it } from '@jest/globals';

/** The shared servers the engine suites can run against. */
export type Engine = 'postgres' | 'redis' | 'mqtt';

/** The variable that gives each engine's URL. */
const URL_VARIABLES: Record<Engine, string> = {
  postgres: 'TEST_POSTGRES_URL',
  redis: 'TEST_REDIS_URL',
  mqtt: 'TEST_MQTT_URL',
};

export type EngineUrls = Record<Engine, string>;

/**
 * Declares a suite that needs some of the shared servers. Given their URLs
 * it runs; without them it is skipped with one line on stderr saying why,
 * and under CI=true it fails instead, so that CI never passes by proving
 * nothing.
 */
export function describeWithEngines(
  title: string,
  engines: readonly Engine[],
  body: (urls: EngineUrls) => void,
): void {
  const missing = engines
    .map((engine) => URL_VARIABLES[engine])
    .filter((name) => !process.env[name]);

  if (missing.length === 0) {
    const urls = Object.fromEntries(
      engines.map((engine) => [engine, process.env[URL_VARIABLES[engine]]]),
    ) as EngineUrls;
    describe(title, () => body(urls));
    return;
  }

  const reason = `${missing.join(' and ')} not set`;
  if (process.env.CI === 'true') {
    throw new Error(`CI=true and ${reason}: "${title}" must run in CI`);
  }

  process.stderr.write(`Not run: "${title}", because ${reason}\n`);
  describe.skip(title, () => {
    it(`needs ${missing.join(', ')}`, () => undefined);
  });
}
