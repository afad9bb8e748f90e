import type { Logger } from '@flowdeck/engine';
import type { RequestHandler } from 'express';

/** One JSON line per request once it is over, streamed responses included. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('close', () => {
      logger.info('request', {
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        requestId: res.locals.requestId,
        clientIp: req.ip,
        ...(typeof res.locals.actor === 'string' ? { actor: res.locals.actor } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      });
    });
    next();
  };
}
