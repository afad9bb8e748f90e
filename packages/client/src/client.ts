import {
  AuditList,
  type CancelRunRequest,
  type CreateScheduleRequest,
  DeleteRunResponse,
  DeleteScheduleResponse,
  Flow,
  FlowList,
  Health,
  type ListAuditQuery,
  type ListRunsQuery,
  type ListSchedulesQuery,
  type PreviewScheduleRequest,
  type ReplayRunRequest,
  ReplayRunResponse,
  Run,
  RunEventList,
  RunList,
  Schedule,
  ScheduleDetail,
  ScheduleList,
  SchedulePreview,
  StartFlowResponse,
  TokenList,
  TriggerScheduleResponse,
  type UpdateScheduleRequest,
  Whoami,
} from '@flowdeck/types';
import { z } from 'zod';
import { type ClientOptions, createTransport } from './http.ts';
import { type FollowOptions, followRunEvents } from './run-events.ts';

export interface CallOptions {
  signal?: AbortSignal;
}

export interface StartOptions extends CallOptions {
  /** The same key never starts two runs of one flow: a repeat answers the first run. */
  idempotencyKey?: string;
  /** `manual` marks a run a person started by hand (the console does); `api` otherwise. */
  trigger?: 'manual' | 'api';
}

const flowPath = (flow: string) => `/api/_flows/${encodeURIComponent(flow)}`;
const runPath = (flow: string, runId: string) => `${flowPath(flow)}/runs/${encodeURIComponent(runId)}`;
const schedulePath = (flow: string, id: string) => `${flowPath(flow)}/schedules/${encodeURIComponent(id)}`;

/**
 * The Flowdeck API, one method per endpoint. Inputs are the shared request types, and every
 * answer is parsed with the shared schemas, so a caller gets exactly the documented shapes;
 * a failure is a `FlowdeckApiError` carrying the server's problem details.
 */
export function createFlowdeckClient(options: ClientOptions = {}) {
  const http = createTransport(options);

  const deleteSchedule = (flow: string, id: string, { signal }: CallOptions = {}) =>
    http.json(DeleteScheduleResponse, { method: 'DELETE', path: schedulePath(flow, id), signal });

  const runs = {
    list: (flow: string, query: Partial<ListRunsQuery> = {}, { signal }: CallOptions = {}) =>
      http.json(RunList, { path: `${flowPath(flow)}/runs`, query, signal }),
    get: (flow: string, runId: string, { signal }: CallOptions = {}) =>
      http.json(Run, { path: runPath(flow, runId), signal }),
    /** The events stored so far, after `after` when given. */
    events: (flow: string, runId: string, { after, signal }: CallOptions & { after?: string } = {}) =>
      http.json(RunEventList, { path: `${runPath(flow, runId)}/events`, query: { after }, signal }),
    /** Stored then live events (Server-Sent Events) until the run ends; resumes after a drop. */
    follow: (flow: string, runId: string, followOptions: FollowOptions = {}) =>
      followRunEvents(
        http,
        { events: `${runPath(flow, runId)}/events`, run: runPath(flow, runId) },
        () => runs.get(flow, runId, { signal: followOptions.signal }),
        followOptions,
      ),
    /** Ends a queued or running run `canceled` at once; 409 `run_ended` once it has ended. */
    cancel: (flow: string, runId: string, { reason, signal }: CallOptions & CancelRunRequest = {}) =>
      http.json(Run, {
        method: 'POST',
        path: `${runPath(flow, runId)}/cancel`,
        body: reason === undefined ? {} : { reason },
        signal,
      }),
    /**
     * Continues a failed or canceled run in place from the steps that did not complete; 409
     * `run_not_ended` while it is queued or running, or once it completed.
     */
    retry: (flow: string, runId: string, { signal }: CallOptions = {}) =>
      http.json(Run, { method: 'POST', path: `${runPath(flow, runId)}/retry`, body: {}, signal }),
    /** Starts a new run with this run's input, or `input` instead (checked like a start's: 422). */
    replay: (flow: string, runId: string, { input, signal }: CallOptions & ReplayRunRequest = {}) =>
      http.json(ReplayRunResponse, {
        method: 'POST',
        path: `${runPath(flow, runId)}/replay`,
        body: input === undefined ? {} : { input },
        signal,
      }),
    /** Deletes an ended run and its events (admin); 409 `run_not_ended` while it runs. */
    remove: (flow: string, runId: string, { signal }: CallOptions = {}) =>
      http.json(DeleteRunResponse, { method: 'DELETE', path: runPath(flow, runId), signal }),
  };

  return {
    health: ({ signal }: CallOptions = {}) => http.json(Health, { path: '/api/health', signal }),
    /** The OpenAPI 3.1 document of the API. */
    openapi: ({ signal }: CallOptions = {}) =>
      http.json(z.record(z.string(), z.unknown()), { path: '/api/openapi.json', signal }),
    auth: {
      /** Whether the API needs a token and, with the client's token, whose it is and its scopes. */
      whoami: ({ signal }: CallOptions = {}) => http.json(Whoami, { path: '/api/auth/whoami', signal }),
      /** The configured tokens' names and scopes (admin). */
      tokens: ({ signal }: CallOptions = {}) => http.json(TokenList, { path: '/api/_tokens', signal }),
    },
    /** Every write with who, what, when and before/after, newest first (admin). */
    audit: {
      list: (query: Partial<ListAuditQuery> = {}, { signal }: CallOptions = {}) =>
        http.json(AuditList, { path: '/api/_audit', query, signal }),
    },
    flows: {
      list: ({ signal }: CallOptions = {}) => http.json(FlowList, { path: '/api/_flows', signal }),
      get: (flow: string, { signal }: CallOptions = {}) => http.json(Flow, { path: flowPath(flow), signal }),
      /** Starts a run with `input` (any JSON; none means `{}`). */
      start: (flow: string, input?: unknown, { idempotencyKey, trigger, signal }: StartOptions = {}) =>
        http.json(StartFlowResponse, {
          method: 'POST',
          path: `${flowPath(flow)}/start`,
          body: input === undefined ? {} : input,
          headers: {
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
            ...(trigger === 'manual' ? { 'x-flowdeck-trigger': 'manual' } : {}),
          },
          signal,
        }),
    },
    runs,
    schedules: {
      /** Every flow's schedules, filtered by `flowName`, `tag` or `status`. */
      listAll: (query: ListSchedulesQuery = {}, { signal }: CallOptions = {}) =>
        http.json(ScheduleList, { path: '/api/_flows/schedules', query, signal }),
      /** One page of every flow's schedules (flows by name, each oldest first); pass `nextCursor` on. */
      pageAll: (query: ListSchedulesQuery & { limit: number }, { signal }: CallOptions = {}) =>
        http.linkedPage(ScheduleList, { path: '/api/_flows/schedules', query, signal }),
      list: (flow: string, { signal }: CallOptions = {}) =>
        http.json(ScheduleList, { path: `${flowPath(flow)}/schedules`, signal }),
      /** One page of the flow's schedules, oldest first; pass `nextCursor` on for the next. */
      page: (flow: string, query: { limit: number; cursor?: string }, { signal }: CallOptions = {}) =>
        http.linkedPage(ScheduleList, { path: `${flowPath(flow)}/schedules`, query, signal }),
      /** The schedule, its next fire times and a page of its occurrences (older ones with `cursor`). */
      get: (flow: string, id: string, { cursor, signal }: CallOptions & { cursor?: string } = {}) =>
        http.json(ScheduleDetail, { path: schedulePath(flow, id), query: { cursor }, signal }),
      create: (flow: string, body: CreateScheduleRequest, { signal }: CallOptions = {}) =>
        http.json(Schedule, { method: 'POST', path: `${flowPath(flow)}/schedule`, body, signal }),
      preview: (
        flow: string,
        body: PreviewScheduleRequest,
        { count, signal }: CallOptions & { count?: number } = {},
      ) =>
        http.json(SchedulePreview, {
          method: 'POST',
          path: `${flowPath(flow)}/schedule/preview`,
          query: { count },
          body,
          signal,
        }),
      /** `ifMatch`: the version last seen; a schedule changed since answers 409 `version_conflict`. */
      update: (
        flow: string,
        id: string,
        body: UpdateScheduleRequest,
        { ifMatch, signal }: CallOptions & { ifMatch?: number | string } = {},
      ) =>
        http.json(Schedule, {
          method: 'PATCH',
          path: schedulePath(flow, id),
          body,
          headers: ifMatch === undefined ? {} : { 'if-match': String(ifMatch) },
          signal,
        }),
      pause: (flow: string, id: string, { reason, signal }: CallOptions & { reason?: string } = {}) =>
        http.json(Schedule, {
          method: 'POST',
          path: `${schedulePath(flow, id)}/pause`,
          body: reason === undefined ? {} : { reason },
          signal,
        }),
      resume: (flow: string, id: string, { signal }: CallOptions = {}) =>
        http.json(Schedule, { method: 'POST', path: `${schedulePath(flow, id)}/resume`, body: {}, signal }),
      /** Fires once now; the occurrence says whether a run started. */
      trigger: (flow: string, id: string, { signal }: CallOptions = {}) =>
        http.json(TriggerScheduleResponse, {
          method: 'POST',
          path: `${schedulePath(flow, id)}/trigger`,
          body: {},
          signal,
        }),
      /** Deletes the schedule; its past runs stay. */
      delete: deleteSchedule,
      /** The same as `delete`, the name this method had first. */
      remove: deleteSchedule,
    },
  };
}

export type FlowdeckClient = ReturnType<typeof createFlowdeckClient>;
