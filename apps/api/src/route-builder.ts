import { type Engine, type Logger, NotFoundError } from '@flowdeck/engine';
import { type Flow, FlowName } from '@flowdeck/types';
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { respondWithError } from './errors.ts';
import { FlowParams } from './schemas.ts';
import { parsePart } from './validation.ts';

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** What every handler may use besides its validated request. */
export interface AppDeps {
  engine: Engine;
  logger: Logger;
  /** Aborted when the server shuts down; long-lived responses (SSE) end on it. */
  shutdown: AbortSignal;
  /** The route table the app mounted, for the OpenAPI document. */
  routes: readonly RouteDoc[];
}

export interface HandlerInput<P, Q, B> extends AppDeps {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
}

/** The flow named by `:name`, looked up before the handler runs. */
export type FlowHandlerInput<P, Q, B> = HandlerInput<P, Q, B> & { flow: Flow };

/** A handler returns what to send, or nothing when it wrote the response itself (SSE). */
export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Success statuses and the schema of their JSON body (`null`: no body). */
export type Responses = Partial<Record<200 | 201 | 202 | 204, z.ZodType | null>>;

/** What the route table says about a route besides its handler; the OpenAPI document is built from it. */
export interface RouteDoc {
  method: Method;
  path: string;
  summary: string;
  description?: string;
  operationId: string;
  params: z.ZodType;
  query: z.ZodType;
  body: z.ZodType | undefined;
  responses: Responses;
  /** Error statuses the route answers beyond those every route of its kind may (400, 404, 503...). */
  errors: number[];
  /** The flow named by `:name` is looked up first: an unknown one is a 404. */
  flowScoped: boolean;
  /** The route can also answer `text/event-stream`. */
  eventStream: boolean;
}

export interface Route extends RouteDoc {
  mount(deps: AppDeps): RequestHandler;
}

const NoParams = z.object({});
const NoQuery = z.object({});
const NoBody = z.undefined();

interface Spec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, I> {
  method: Method;
  path: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  responses: Responses;
  errors?: number[];
  eventStream?: boolean;
  /** Its name is the route's operationId. */
  handler: (input: I) => Promise<Reply | undefined>;
}

/** A route whose params, query and body are validated with the given schemas before the handler runs. */
export function route<
  P extends z.ZodType = typeof NoParams,
  Q extends z.ZodType = typeof NoQuery,
  B extends z.ZodType = typeof NoBody,
>(spec: Spec<P, Q, B, HandlerInput<z.output<P>, z.output<Q>, z.output<B>>>): Route {
  return build(spec, NoParams, false, async () => ({}));
}

/**
 * A route under `/api/_flows/:name`: the flow is looked up first, so an unknown flow is a
 * 404 `flow_not_found` before any other validation or logic.
 */
export function flowRoute<
  P extends z.ZodType<{ name: string }> = typeof FlowParams,
  Q extends z.ZodType = typeof NoQuery,
  B extends z.ZodType = typeof NoBody,
>(
  spec: Spec<P, Q, B, FlowHandlerInput<z.output<P>, z.output<Q>, z.output<B>>> & {
    path: `/api/_flows/:name${string}`;
  },
): Route {
  return build(spec, FlowParams, true, async (req, deps) => ({
    flow: await lookUpFlow(deps.engine, req.params.name),
  }));
}

async function lookUpFlow(engine: Engine, name: unknown): Promise<Flow> {
  // A name no flow can have is not worth a Redis round trip.
  if (!FlowName.safeParse(name).success) {
    throw new NotFoundError('flow_not_found', `no flow named '${String(name)}' is registered`);
  }
  return engine.flows.get(name as string);
}

function build<I>(
  spec: Spec<z.ZodType, z.ZodType, z.ZodType, I>,
  defaultParams: z.ZodType,
  flowScoped: boolean,
  resolve: (req: Request, deps: AppDeps) => Promise<object>,
): Route {
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    operationId: spec.handler.name,
    params: spec.params ?? defaultParams,
    query: spec.query ?? NoQuery,
    body: spec.body,
    responses: spec.responses,
    errors: spec.errors ?? [],
    flowScoped,
    eventStream: spec.eventStream ?? false,
    mount: (deps) => async (req, res) => {
      try {
        const resources = await resolve(req, deps);
        const input = {
          ...deps,
          ...resources,
          params: parsePart('params', spec.params ?? defaultParams, req.params),
          query: parsePart('query', spec.query ?? NoQuery, req.query),
          body: spec.body ? parsePart('body', spec.body, req.body) : undefined,
          req,
          res,
        } as I;
        const reply = await spec.handler(input);
        if (reply) send(res, reply);
      } catch (error) {
        respondWithError(error, req, res, deps.logger);
      }
    },
  };
}

function send(res: Response, { status = 200, headers = {}, body }: Reply) {
  res.status(status).set(headers).json(body);
}

/** For bodies a client may leave out: no body at all means `{}`. */
export function optionalBody<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (value === undefined ? {} : value), schema);
}
