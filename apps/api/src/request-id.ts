import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every request gets an id: the caller's `X-Request-Id` when it is a plain token of at most
 * 128 letters, digits, `.`, `_`, `:` or `-` (a proxy's, so one id follows the request across
 * hops), else a new one, so nothing else a caller sends reaches the logs or the audit trail
 * this way. It is sent back as a header, logged with the request and put in every
 * problem+json body and audit entry.
 */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  const id = given !== undefined && SAFE_ID.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.set('x-request-id', id);
  next();
};

export function requestIdOf(res: { locals: Record<string, unknown> }): string | undefined {
  const id = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}
