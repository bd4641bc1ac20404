import { WS_PATH } from '$protocol';

/**
 * The chat socket's address on the host that served the page: the balancer
 * in production, Vite's proxy in development.
 */
export function chatSocketUrl(
  location: Pick<Location, 'protocol' | 'host'>,
): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';

  return `${scheme}://${location.host}${WS_PATH}`;
}
