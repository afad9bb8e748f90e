import type { Engine, Logger, NewAuditEntry } from '@flowdeck/engine';
import type { Request, Response } from 'express';
import { requestIdOf } from './request-id.ts';

/**
 * How the API writes the audit trail. A change's entry is written after the change is applied,
 * so a failed write must not turn the answer into an error: the client would see a 5xx for a
 * change that happened, and a create retried without `jobId` would make a second one. The
 * failure is logged with the whole entry instead, and the write retried in the background.
 *
 * Refused requests (401, 403) are recorded too, at most DENIED_PER_MINUTE per client address a
 * minute so that a flood of them cannot fill the trail; the rest are only in the request log.
 */

/** Waits before each background retry of a change's entry; after the last one it is given up. */
export const AUDIT_RETRY_DELAYS_MS = [1000, 5000, 30_000];

export const DENIED_PER_MINUTE = 20;
const MINUTE_MS = 60_000;
/** Of a refused request's path, what is kept: enough to see what was tried. */
const MAX_PATH_LENGTH = 300;

/** Records a change's entry; never throws. */
export async function recordChange(
  engine: Engine,
  logger: Logger,
  entry: NewAuditEntry,
  shutdown: AbortSignal,
): Promise<void> {
  // Stamped now, so a late write still says when the change happened.
  const stamped = { ...entry, at: entry.at ?? Date.now() };
  try {
    await engine.audit.record(stamped);
  } catch (error) {
    logger.error('could not write the audit entry of an applied change; retrying in the background', {
      entry: stamped,
      error: (error as Error).message,
    });
    retryLater(engine, logger, stamped, shutdown, 0);
  }
}

function retryLater(
  engine: Engine,
  logger: Logger,
  entry: NewAuditEntry,
  shutdown: AbortSignal,
  attempt: number,
) {
  const delay = AUDIT_RETRY_DELAYS_MS[attempt];
  if (delay === undefined || shutdown.aborted) {
    logger.error('gave up writing an audit entry', { entry, attempts: attempt + 1 });
    return;
  }
  const stop = () => {
    clearTimeout(timer);
    logger.error('gave up writing an audit entry: the API is stopping', { entry, attempts: attempt + 1 });
  };
  const timer = setTimeout(() => {
    shutdown.removeEventListener('abort', stop);
    engine.audit.record(entry).then(
      () => logger.info('wrote a delayed audit entry', { entry, attempts: attempt + 2 }),
      (error: Error) => {
        logger.error('could not write an audit entry again', { error: error.message, attempts: attempt + 2 });
        retryLater(engine, logger, entry, shutdown, attempt + 1);
      },
    );
  }, delay);
  timer.unref();
  shutdown.addEventListener('abort', stop, { once: true });
}

export interface DeniedAttempt {
  status: 401 | 403;
  code: string;
  /** The refused token's name; `anonymous` when no valid token came. */
  actor: string;
  flowName?: string;
}

/** Records a refused request in the background (within the per-client limit); never throws. */
export function recordDenied(
  engine: Engine,
  logger: Logger,
  req: Request,
  res: Response,
  attempt: DeniedAttempt,
) {
  recordDeniedNow(engine, logger, req, res, attempt).catch((error: Error) =>
    logger.warn('could not record a denied request in the audit trail', { error: error.message }),
  );
}

async function recordDeniedNow(
  engine: Engine,
  logger: Logger,
  req: Request,
  res: Response,
  { status, code, actor, flowName }: DeniedAttempt,
) {
  const clientIp = req.ip ?? 'unknown';
  // `denied:` cannot collide with the write limit's subjects: token names have no colon.
  const within = await engine.rateLimit.hit(`denied:${clientIp}`, DENIED_PER_MINUTE, MINUTE_MS);
  if (!within.allowed) {
    const first = await engine.rateLimit.hit(`denied-over:${clientIp}`, 1, MINUTE_MS);
    if (first.allowed) {
      logger.warn(
        `more than ${DENIED_PER_MINUTE} denied requests from one client this minute: the rest are in the request log only`,
        { clientIp },
      );
    }
    return;
  }
  const requestId = requestIdOf(res);
  await engine.audit.record({
    actor,
    action: 'access.denied',
    ...(flowName === undefined ? {} : { flowName }),
    ...(requestId === undefined ? {} : { requestId }),
    after: { status, code, method: req.method, path: req.path.slice(0, MAX_PATH_LENGTH), clientIp },
  });
}
