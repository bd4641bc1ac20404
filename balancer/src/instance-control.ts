/**
 * Stops and starts gateway instances by their PM2 app name, for the demo
 * switch. Rejects with the reason when the process manager says no.
 */
export interface InstanceControl {
  stop(name: string): Promise<void>;
  start(name: string): Promise<void>;
}

/** Longest wait for PM2: a gateway's kill_timeout (5 s) and a margin. */
const PM2_TIMEOUT_MS = 15_000;

/**
 * The control through PM2's programmatic API, or `undefined` when this
 * process is not run by PM2. Outside PM2, `pm2.connect` would start a
 * daemon of its own in the user's default PM2_HOME: never wanted here.
 *
 * Each action connects to the daemon, acts and disconnects, so that an
 * idle balancer holds no socket to the daemon. Start is PM2's restart,
 * which starts a stopped app again with the settings it was started with.
 */
export function pm2InstanceControl(
  env: Readonly<Record<string, string | undefined>> = process.env,
): InstanceControl | undefined {
  if (env.pm_id === undefined) return undefined;

  return {
    stop: (name) => withPm2((pm2, done) => pm2.stop(name, done)),
    start: (name) => withPm2((pm2, done) => pm2.restart(name, done)),
  };
}

type Pm2 = typeof import('pm2');

async function withPm2(
  act: (pm2: Pm2, done: (err: Error | null) => void) => void,
): Promise<void> {
  // Loaded on first use: most balancers never turn the demo switch on.
  const pm2 = (await import('pm2')).default;

  await new Promise<void>((resolve, reject) => {
    pm2.connect((err) => (err ? reject(err) : resolve()));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`PM2 did not answer in ${PM2_TIMEOUT_MS} ms`));
      }, PM2_TIMEOUT_MS);
      act(pm2, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  } finally {
    pm2.disconnect();
  }
}
