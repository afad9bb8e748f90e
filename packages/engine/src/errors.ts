import type { FieldError } from '@flowdeck/types';

/**
 * Expected failures carry an HTTP status and a stable `code`; the API turns them into
 * problem+json without knowing each case. Anything else is a bug and becomes a 500.
 */
export class FlowdeckError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends FlowdeckError {
  constructor(code: 'flow_not_found' | 'run_not_found' | 'schedule_not_found', message: string) {
    super(404, code, message);
  }
}

/** A malformed request: wrong types, a bad cron or zone, conflicting fields. */
export class InvalidRequestError extends FlowdeckError {
  constructor(message: string, errors?: FieldError[]) {
    super(400, 'invalid_request', message, errors);
  }
}

/** Well-formed input that the flow's input schema rejects. */
export class InputInvalidError extends FlowdeckError {
  constructor(message: string, errors: FieldError[]) {
    super(422, 'input_invalid', message, errors);
  }
}

export class ConflictError extends FlowdeckError {
  constructor(
    code: 'version_conflict' | 'schedule_completed' | 'run_not_ended' | 'run_ended' | 'run_steps_stopping',
    message: string,
  ) {
    super(409, code, message);
  }
}

export class UnavailableError extends FlowdeckError {
  constructor(message: string) {
    super(503, 'redis_unavailable', message);
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/** Replies and client errors of a cluster or Sentinel setup in the middle of a failover. */
const FAILOVER_ERRORS =
  /^(CLUSTERDOWN|TRYAGAIN|READONLY|LOADING|MASTERDOWN)\b|Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready|All sentinels are unreachable/;

/**
 * Errors from a Redis that cannot be reached (down, restarting, network gone, a cluster or
 * Sentinel failover in progress) become a 503 the caller can retry; anything else is
 * returned as it is.
 */
export function classifyError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof FlowdeckError) return error;
  const code = (error as { code?: string }).code;
  const unreachable =
    error.name === 'MaxRetriesPerRequestError' ||
    (code !== undefined && CONNECTION_ERROR_CODES.has(code)) ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue options is false/.test(error.message) ||
    FAILOVER_ERRORS.test(error.message);
  return unreachable ? new UnavailableError('Redis is unreachable right now; try again shortly') : error;
}
