import { demoActionPath, type DemoAction } from '$protocol';

/**
 * Asks the balancer's demo switch to stop or start an instance. Resolves
 * with `null` once done, or with a sentence saying why not.
 */
export async function requestDemoAction(
  instance: string,
  action: DemoAction,
): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(demoActionPath(instance, action), {
      method: 'POST',
      cache: 'no-store',
      // PM2 waits for a stopping gateway to drain: up to its kill_timeout.
      signal: AbortSignal.timeout(20_000),
    });
  } catch {
    return 'The balancer did not answer.';
  }

  if (response.ok) return null;

  const body = (await response.json().catch(() => ({}))) as {
    error?: unknown;
    message?: unknown;
  };
  const code = typeof body.error === 'string' ? body.error : response.status;
  const text = typeof body.message === 'string' ? `: ${body.message}` : '';

  return `Refused (${code})${text}.`;
}
