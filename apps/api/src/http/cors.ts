import type { RequestHandler } from 'express';

const ALLOW_HEADERS = [
  'authorization',
  'content-type',
  'idempotency-key',
  'if-match',
  'last-event-id',
  'x-flowdeck-trigger',
  'x-request-id',
].join(', ');
const EXPOSE_HEADERS = [
  'location',
  'retry-after',
  'x-request-id',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
].join(', ');
const ALLOW_METHODS = 'GET, POST, PATCH, DELETE';

/**
 * Cross-origin calls from browsers, for the origins in FLOWDECK_CORS_ORIGINS only (`*` for
 * any). With none configured no CORS header is ever sent, so browsers keep other sites'
 * pages from reading the API. Tokens travel in a header, never a cookie, so no credentials
 * mode is needed.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins.map((origin) => origin.replace(/\/+$/, '')));
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origins.length === 0 || origin === undefined) return next();
    res.vary('origin');
    if (!any && !allowed.has(origin)) return next();
    res.set('access-control-allow-origin', any ? '*' : origin);
    res.set('access-control-expose-headers', EXPOSE_HEADERS);
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;
    if (!preflight) return next();
    res.set({
      'access-control-allow-methods': ALLOW_METHODS,
      'access-control-allow-headers': ALLOW_HEADERS,
      'access-control-max-age': '600',
    });
    res.status(204).end();
  };
}
