import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { describe, expect, it } from '@jest/globals';

import { packageRoot } from '../../gateway/src/config/package-root.js';

const run = promisify(execFile);

/** The apps ecosystem.config.js declares under an environment. */
async function appsUnder(
  env: Record<string, string>,
): Promise<{ name: string; env: Record<string, string> }[]> {
  const { stdout } = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { apps } = await import('./ecosystem.config.js');" +
        'process.stdout.write(JSON.stringify(apps));',
    ],
    { cwd: packageRoot, env: { PATH: process.env.PATH ?? '', ...env } },
  );

  return JSON.parse(stdout) as { name: string; env: Record<string, string> }[];
}

describe('ecosystem.config.js ROLES', () => {
  it('starts every role by default', async () => {
    const apps = await appsUnder({});

    expect(apps.map((app) => app.name)).toEqual([
      'bus',
      'gateway-8001',
      'gateway-8002',
      'balancer',
    ]);
  });

  it('starts only the gateways on a gateway host, named after the host', async () => {
    const apps = await appsUnder({
      ROLES: 'gateway',
      INSTANCE_PREFIX: 'web1-',
      BUS_URL: 'redis://bus.internal:6379',
      DATABASE_URL: 'postgres://chat@db.internal/chat',
    });

    expect(apps.map((app) => app.name)).toEqual([
      'gateway-8001',
      'gateway-8002',
    ]);
    expect(apps[0]?.env).toMatchObject({
      INSTANCE: 'web1-gateway-8001',
      BUS_URL: 'redis://bus.internal:6379',
      DATABASE_URL: 'postgres://chat@db.internal/chat',
    });
  });

  it('starts only the balancer on a balancer host, with the given upstreams', async () => {
    const listed = await appsUnder({
      ROLES: 'balancer',
      UPSTREAMS: '10.0.0.11:8001,10.0.0.12:8001',
    });
    const filed = await appsUnder({
      ROLES: ' balancer ',
      UPSTREAMS_FILE: '/etc/chat/upstreams.txt',
    });

    expect(listed.map((app) => app.name)).toEqual(['balancer']);
    expect(listed[0]?.env.UPSTREAMS).toBe('10.0.0.11:8001,10.0.0.12:8001');
    expect(filed[0]?.env).toMatchObject({
      UPSTREAMS_FILE: '/etc/chat/upstreams.txt',
    });
    expect(filed[0]?.env.UPSTREAMS).toBeUndefined();
  });

  it('starts no embedded bus when BUS_URL names another one', async () => {
    const apps = await appsUnder({ BUS_URL: 'mqtt://10.0.0.5:1883' });

    expect(apps.map((app) => app.name)).not.toContain('bus');
  });

  it('refuses a role it does not know', async () => {
    await expect(appsUnder({ ROLES: 'gateway,database' })).rejects.toThrow(
      /ROLES names database/,
    );
  });
});
