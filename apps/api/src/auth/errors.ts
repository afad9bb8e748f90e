import { FlowdeckError } from '@flowdeck/engine';

/** An expected failure that also sets response headers (WWW-Authenticate, Retry-After). */
export class HttpError extends FlowdeckError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly headers: Record<string, string>,
  ) {
    super(status, code, message);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message: string) {
    super(401, 'unauthorized', message, { 'www-authenticate': 'Bearer realm="flowdeck"' });
  }
}

export class ForbiddenError extends HttpError {
  constructor(
    message: string,
    /** The name of the token that was refused, for the audit trail. */
    readonly actor: string,
  ) {
    super(403, 'forbidden', message, {});
  }
}

export class RateLimitedError extends HttpError {
  constructor(message: string, retryAfterSec: number) {
    super(429, 'rate_limited', message, { 'retry-after': String(retryAfterSec) });
  }
}
