import { isIPv6 } from 'node:net';

/** The dotted IPv4 address inside `::ffff:a.b.c.d`. */
const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The client's address as one key per host: an IPv4 client reaching a
 * dual-stack socket shows up as `::ffff:a.b.c.d`, and must count as the
 * same client as `a.b.c.d`. IPv6 is lower-cased, as its text form allows
 * either case. `undefined` when the socket has already closed.
 */
export function clientAddressOf(
  remoteAddress: string | undefined,
): string | undefined {
  if (!remoteAddress) return undefined;

  const mapped = IPV4_MAPPED.exec(remoteAddress);
  if (mapped) return mapped[1];

  return isIPv6(remoteAddress) ? remoteAddress.toLowerCase() : remoteAddress;
}
