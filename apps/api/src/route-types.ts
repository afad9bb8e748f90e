import type { Engine, Logger } from '@flowdeck/engine';
import type { AuditAction, FlowManifest } from '@flowdeck/types';
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Principal } from './auth/principal.ts';
import type { RouteScope } from './auth/scopes.ts';
import type { TokenStore } from './auth/tokens.ts';

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** Who may call and how often: the tokens, and writes per token per window (0: no limit). */
export interface AccessSettings {
  tokens: TokenStore;
  writeRateLimit: number;
  /** The window of the write limit; a minute unless a test needs a longer one. */
  writeWindowMs: number;
}

/** What every handler may use besides its validated request. */
export interface AppDeps {
  engine: Engine;
  logger: Logger;
  /** Aborted when the server shuts down; long-lived responses (SSE) end on it. */
  shutdown: AbortSignal;
  /** The route table the app mounted, for the OpenAPI document. */
  routes: readonly RouteDoc[];
  access: AccessSettings;
}

export interface HandlerInput<P, Q, B> extends AppDeps {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
  /** The caller; null only on a public route called without a token. */
  principal: Principal | null;
}

/** The flow named by `:name`, looked up before the handler runs; writes always have a caller. */
export type FlowHandlerInput<P, Q, B> = HandlerInput<P, Q, B> & {
  flow: FlowManifest;
  principal: Principal;
};

/** What an audited write changed, for its audit entry. */
export interface AuditDetails {
  scheduleId?: string;
  runId?: string;
  before?: unknown;
  after?: unknown;
  /** A write across flows (not under /api/_flows/:name): one entry per flow, with what it changed there. */
  perFlow?: { flowName: string; after: unknown }[];
}

/** A handler returns what to send, or nothing when it wrote the response itself (SSE). */
export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  audit?: AuditDetails;
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
  /** The scope a caller's token needs; `public` routes need none. */
  scope: RouteScope;
  /** Set on every write: the action its audit entry records (and writes count against the rate limit). */
  audit: AuditAction | undefined;
  params: z.ZodType;
  query: z.ZodType;
  body: z.ZodType | undefined;
  /** Request headers the route reads, by name, with what they do. */
  headers: Record<string, string>;
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
