import type { Engine, Logger } from '@flowdeck/engine';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { recordDenied } from './audit-trail.ts';
import { noTokens } from './auth/tokens.ts';
import { consoleRouter } from './console-static.ts';
import { docsRouter } from './docs-static.ts';
import { respondWithError } from './errors.ts';
import { cors } from './http/cors.ts';
import { hostCheck } from './http/host-check.ts';
import { checkJsonDepth } from './http/json-depth.ts';
import { securityHeaders } from './http/security-headers.ts';
import { sendProblem } from './problem.ts';
import { requestId, requestIdOf } from './request-id.ts';
import { requestLog } from './request-log.ts';
import type { AccessSettings, AppDeps, Route } from './route-builder.ts';
import { routes } from './routes.ts';
import type { TrustProxy } from './settings.ts';
import { WRITE_WINDOW_MS } from './write-limit.ts';

export interface AppOptions {
  engine: Engine;
  logger: Logger;
  /** The built console; served at `/` when the folder has an index.html. */
  consoleDir?: string;
  /** Aborted when the server shuts down: open event streams end on it. */
  shutdown?: AbortSignal;
  /** Tokens and the write limit; by default no tokens (open, for loopback) and no limit. */
  access?: Partial<AccessSettings>;
  /** Origins browsers may call the API from; none (the default): CORS stays off. */
  corsOrigins?: readonly string[];
  /** Host names served besides loopback ones; without tokens any other name is refused. */
  allowedHosts?: readonly string[];
  /** Express's `trust proxy` (TRUST_PROXY): off by default. */
  trustProxy?: TrustProxy;
}

const JSON_TYPES = ['application/json', 'application/*+json'];
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The Express app, without listening, so tests can mount it on an ephemeral port. */
export function createApp({
  engine,
  logger,
  consoleDir,
  shutdown,
  access,
  corsOrigins = [],
  allowedHosts = [],
  trustProxy = false,
}: AppOptions): Express {
  const deps: AppDeps = {
    engine,
    logger,
    shutdown: shutdown ?? new AbortController().signal,
    routes,
    access: {
      tokens: access?.tokens ?? noTokens,
      writeRateLimit: access?.writeRateLimit ?? 0,
      writeWindowMs: access?.writeWindowMs ?? WRITE_WINDOW_MS,
    },
  };
  const app = express();
  app.disable('x-powered-by');
  // Behind a TLS proxy: `req.secure` (HSTS) and `req.ip` (audit, logs) from X-Forwarded-*.
  app.set('trust proxy', trustProxy);
  app.use(requestId);
  app.use(requestLog(logger));
  app.use(securityHeaders);
  app.use(
    hostCheck(allowedHosts, deps.access.tokens.required, (req, res) =>
      recordDenied(engine, logger.child({ requestId: requestIdOf(res) }), req, res, {
        status: 403,
        code: 'host_not_allowed',
        actor: 'anonymous',
      }),
    ),
  );
  app.use('/api', cors(corsOrigins));
  // `strict: false`: a flow's input may be any JSON value, not only an object or an array.
  app.use(
    '/api',
    requireJsonBody,
    express.json({ limit: BODY_LIMIT_BYTES, strict: false, type: JSON_TYPES, verify: checkJsonDepth }),
  );
  mountRoutes(app, routes, deps);
  app.use('/api/docs', docsRouter());
  app.use('/api', notFound);
  const consoleApp = consoleDir ? consoleRouter(consoleDir) : null;
  if (consoleApp) app.use(consoleApp);
  else if (consoleDir) logger.warn('no built console to serve', { consoleDir });
  app.use(notFound);
  app.use(((error, req, res, _next) =>
    respondWithError(error, req, res, logger.child({ requestId: requestIdOf(res) }))) as ErrorRequestHandler);
  return app;
}

/** Routes in table order, then a 405 with `Allow` for a known path asked with another method. */
function mountRoutes(app: Express, table: Route[], deps: AppDeps) {
  for (const route of table) app[route.method](route.path, route.mount(deps));
  const allowed = new Map<string, string[]>();
  for (const route of table) allowed.set(route.path, [...(allowed.get(route.path) ?? []), route.method]);
  for (const [path, methods] of allowed) app.all(path, methodNotAllowed(methods));
}

function methodNotAllowed(methods: string[]): RequestHandler {
  const allow = methods.map((m) => m.toUpperCase()).join(', ');
  return (req, res) => {
    res.set('allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    sendProblem(res, {
      status: 405,
      code: 'method_not_allowed',
      detail: `${req.method} is not supported on ${req.path}; use ${allow}`,
    });
  };
}

const requireJsonBody: RequestHandler = (req, res, next) => {
  // `false` means a body came with another content type; `null` means no body at all.
  // An empty body (content-length: 0, as fetch sends for a bare POST) is no body either.
  if (req.is(JSON_TYPES) !== false || req.get('content-length') === '0') return next();
  sendProblem(res, {
    status: 415,
    code: 'unsupported_media_type',
    detail: `send the request body as JSON with 'content-type: application/json' (got '${req.get('content-type') ?? 'none'}')`,
  });
};

const notFound: RequestHandler = (req, res) => {
  sendProblem(res, {
    status: 404,
    code: 'not_found',
    detail: `no route for ${req.method} ${req.originalUrl.split('?')[0]}`,
  });
};
