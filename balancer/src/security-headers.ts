import type { RequestHandler } from 'express';

/**
 * A `Host` that can stand in a CSP host-source: names and IPv4 with an
 * optional port. The grammar has no form for an IPv6 literal (CSP3 section
 * 2.3.1, `host-part`), and anything else is not written into a header.
 */
const CSP_HOST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d{1,5})?$/i;

/**
 * The SPA's built `index.html` loads one module script and one stylesheet
 * from `/assets`, and Svelte sets dynamic styles through the CSSOM
 * (`style.setProperty`, `style.cssText`), which CSP does not govern: no
 * source needs `'unsafe-inline'`. Nothing is framed, posted elsewhere or
 * embedded as a plugin.
 */
const FIXED_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/** Headers that are the same on every answer. */
const FIXED_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // For browsers that predate `frame-ancestors`.
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/**
 * The Content-Security-Policy for a page served under `host`. CSP3 lets
 * `'self'` match `ws:` and `wss:` on the page's own host and port, but
 * Safari has long matched it against the page's own scheme only, which
 * would block the chat socket; the socket's two origins are therefore
 * named as well, when the `Host` header allows it.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const socketOrigins =
    host !== undefined && CSP_HOST.test(host)
      ? ` ws://${host} wss://${host}`
      : '';

  return [...FIXED_DIRECTIVES, `connect-src 'self'${socketOrigins}`].join('; ');
}

/**
 * Sets the security headers on every answer of the HTTP side, errors and
 * health endpoints included: they are set before any route can answer.
 */
export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    res.setHeader(
      'Content-Security-Policy',
      contentSecurityPolicy(req.headers.host),
    );
    for (const [name, value] of Object.entries(FIXED_HEADERS)) {
      res.setHeader(name, value);
    }

    next();
  };
}
