import { classifyError, FlowdeckError, type Logger, UnavailableError } from '@flowdeck/engine';
import type { Request, Response } from 'express';
import { sendProblem } from './problem.ts';

/** body-parser's failures carry a status and a `type`; each gets a stable code of ours. */
const BODY_ERROR_CODES: Record<string, { code: string; detail: (error: BodyError) => string }> = {
  'entity.parse.failed': {
    code: 'invalid_json',
    detail: (error) => `the request body is not valid JSON: ${error.message}`,
  },
  'entity.too.large': {
    code: 'payload_too_large',
    detail: (error) => `the request body is larger than the limit of ${error.limit} bytes (1 MiB)`,
  },
  'encoding.unsupported': { code: 'unsupported_encoding', detail: (error) => error.message },
  'charset.unsupported': { code: 'unsupported_charset', detail: (error) => error.message },
  'request.aborted': { code: 'request_aborted', detail: () => 'the client aborted the request' },
};

/** Retry-After of a 503 while Redis cannot be reached: `npm start` restarts its Redis within seconds. */
export const REDIS_RETRY_AFTER_SEC = 2;

interface BodyError extends Error {
  type: string;
  status: number;
  limit?: number;
}

/** The router's failure to decode a malformed `%` escape in a path parameter (`/api/_flows/%zz`). */
function isPathDecodeError(error: unknown): error is URIError {
  return error instanceof URIError && (error as { status?: unknown }).status === 400;
}

function isBodyError(error: unknown): error is BodyError {
  const candidate = error as Partial<BodyError>;
  return error instanceof Error && typeof candidate.type === 'string' && typeof candidate.status === 'number';
}

/**
 * Turns anything a handler or middleware threw into problem+json. Expected failures keep
 * their status and code; anything else is a bug: logged with its stack, answered as a bare 500.
 */
export function respondWithError(thrown: unknown, req: Request, res: Response, logger: Logger): void {
  const error = classifyError(thrown);
  if (res.headersSent) {
    // Mid-stream (SSE): the status is gone; all that is left is to log and close.
    logger.error('request failed after the response started', { path: req.path, error: String(error) });
    res.end();
    return;
  }
  if (error instanceof FlowdeckError) {
    if (error instanceof UnavailableError) res.set('retry-after', String(REDIS_RETRY_AFTER_SEC));
    sendProblem(res, { status: error.status, code: error.code, detail: error.message, errors: error.errors });
    return;
  }
  if (isPathDecodeError(error)) {
    sendProblem(res, {
      status: 400,
      code: 'invalid_path',
      detail: `${error.message}: the URL path has a '%' that is not followed by two hex digits of valid UTF-8`,
    });
    return;
  }
  if (isBodyError(error)) {
    const known = BODY_ERROR_CODES[error.type];
    const status = error.status >= 400 && error.status < 500 ? error.status : 400;
    sendProblem(res, {
      status,
      code: known?.code ?? 'invalid_request',
      detail: known?.detail(error) ?? error.message,
    });
    return;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  logger.error('request failed', {
    method: req.method,
    path: req.path,
    error: err.message,
    stack: err.stack,
  });
  sendProblem(res, {
    status: 500,
    code: 'internal_error',
    detail: 'something went wrong on the server; the error was logged',
  });
}
