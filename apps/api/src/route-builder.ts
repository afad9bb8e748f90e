import { NotFoundError } from '@flowdeck/engine';
import type { AuditAction } from '@flowdeck/types';
import { type FlowManifest, FlowName } from '@flowdeck/types';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { recordChange, recordDenied } from './audit-trail.ts';
import { ForbiddenError, HttpError, UnauthorizedError } from './auth/errors.ts';
import { authorize, type Principal } from './auth/principal.ts';
import type { RouteScope } from './auth/scopes.ts';
import { respondWithError } from './errors.ts';
import { requestIdOf } from './request-id.ts';
import type {
  AppDeps,
  FlowHandlerInput,
  HandlerInput,
  Method,
  Reply,
  Responses,
  Route,
} from './route-types.ts';
import { FlowParams } from './schemas.ts';
import { parsePart } from './validation.ts';
import { limitWrites } from './write-limit.ts';

export type * from './route-types.ts';

const NoParams = z.object({});
const NoQuery = z.object({});
const NoBody = z.undefined();

interface Spec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, I> {
  method: Method;
  path: string;
  summary: string;
  description?: string;
  scope: RouteScope;
  params?: P;
  query?: Q;
  body?: B;
  headers?: Record<string, string>;
  responses: Responses;
  errors?: number[];
  eventStream?: boolean;
  /** Its name is the route's operationId. */
  handler: (input: I) => Promise<Reply | undefined>;
}

/**
 * A route whose params, query and body are validated with the given schemas before the handler
 * runs. A write across flows names its audit action; its reply names the flows (`audit.perFlow`).
 */
export function route<
  P extends z.ZodType = typeof NoParams,
  Q extends z.ZodType = typeof NoQuery,
  B extends z.ZodType = typeof NoBody,
>(spec: Spec<P, Q, B, HandlerInput<z.output<P>, z.output<Q>, z.output<B>>> & { audit?: AuditAction }): Route {
  return build(spec, spec.audit, NoParams, false, async () => ({}));
}

/**
 * A route under `/api/_flows/:name`: the flow is looked up first, so an unknown flow is a
 * 404 `flow_not_found` before any other validation or logic. A write names its audit action.
 */
export function flowRoute<
  P extends z.ZodType<{ name: string }> = typeof FlowParams,
  Q extends z.ZodType = typeof NoQuery,
  B extends z.ZodType = typeof NoBody,
>(
  spec: Spec<P, Q, B, FlowHandlerInput<z.output<P>, z.output<Q>, z.output<B>>> & {
    path: `/api/_flows/:name${string}`;
    scope: Exclude<RouteScope, 'public'>;
    audit?: AuditAction;
  },
): Route {
  return build(spec, spec.audit, FlowParams, true, async (req, deps) => ({
    flow: await lookUpFlow(deps.engine, req.params.name),
  }));
}

async function lookUpFlow(engine: AppDeps['engine'], name: unknown): Promise<FlowManifest> {
  // A name no flow can have is not worth a Redis round trip.
  if (!FlowName.safeParse(name).success) {
    throw new NotFoundError('flow_not_found', `no flow named '${String(name)}' is registered`);
  }
  // The manifest only: reading every worker's heartbeat is left to the routes that show them.
  return engine.flows.manifest(name as string);
}

/**
 * Every request goes the same way: who is calling (401/403, recorded in the audit trail), the
 * write limit (429), the resources named in the path (404), params, query and body (400), the
 * handler, and for a write its audit entry before the answer goes out. The change is applied by
 * then, so a failed audit write is logged and retried, never answered as an error.
 */
function build<I>(
  spec: Spec<z.ZodType, z.ZodType, z.ZodType, I>,
  audit: AuditAction | undefined,
  defaultParams: z.ZodType,
  flowScoped: boolean,
  resolve: (req: Request, deps: AppDeps) => Promise<{ flow?: FlowManifest }>,
): Route {
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    operationId: spec.handler.name,
    scope: spec.scope,
    audit,
    params: spec.params ?? defaultParams,
    query: spec.query ?? NoQuery,
    body: spec.body,
    headers: spec.headers ?? {},
    responses: spec.responses,
    errors: spec.errors ?? [],
    flowScoped,
    eventStream: spec.eventStream ?? false,
    mount: (deps) => async (req, res) => {
      const logger = deps.logger.child({ requestId: requestIdOf(res) });
      try {
        const principal = authorize(req, spec.scope, deps.access.tokens);
        if (principal) res.locals.actor = principal.name;
        if (audit && principal) await limitWrites(deps.engine, principal, deps.access, res);
        const resources = await resolve(req, deps);
        const input = {
          ...deps,
          ...resources,
          logger,
          principal,
          params: parsePart('params', spec.params ?? defaultParams, req.params),
          query: parsePart('query', spec.query ?? NoQuery, req.query),
          body: spec.body ? parsePart('body', spec.body, req.body) : undefined,
          req,
          res,
        } as I;
        const reply = await spec.handler(input);
        if (!reply) return;
        if (audit && principal)
          await recordWrites(deps, logger, audit, principal, resources.flow, reply, res);
        send(res, reply);
      } catch (error) {
        if (error instanceof UnauthorizedError || error instanceof ForbiddenError) {
          recordDenied(deps.engine, logger, req, res, deniedAttempt(error, req));
        }
        if (error instanceof HttpError && !res.headersSent) res.set(error.headers);
        respondWithError(error, req, res, logger);
      }
    },
  };
}

/** A write's audit entry: one for its flow, or one per flow a write across flows names. */
async function recordWrites(
  deps: AppDeps,
  logger: AppDeps['logger'],
  action: AuditAction,
  principal: Principal,
  flow: FlowManifest | undefined,
  reply: Reply,
  res: Response,
) {
  const requestId = requestIdOf(res);
  const { perFlow, ...details } = reply.audit ?? {};
  const entries = flow ? [{ flowName: flow.name, ...details }] : (perFlow ?? []);
  for (const entry of entries) {
    await recordChange(
      deps.engine,
      logger,
      { actor: principal.name, action, ...(requestId ? { requestId } : {}), ...entry },
      deps.shutdown,
    );
  }
}

function deniedAttempt(error: UnauthorizedError | ForbiddenError, req: Request) {
  const flowName = FlowName.safeParse(req.params.name);
  return {
    status: error instanceof ForbiddenError ? 403 : 401,
    code: error.code,
    actor: error instanceof ForbiddenError ? error.actor : 'anonymous',
    ...(flowName.success ? { flowName: flowName.data } : {}),
  } as const;
}

function send(res: Response, { status = 200, headers = {}, body }: Reply) {
  res.status(status).set(headers).json(body);
}

/** For bodies a client may leave out: no body at all means `{}`. */
export function optionalBody<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (value === undefined ? {} : value), schema);
}
