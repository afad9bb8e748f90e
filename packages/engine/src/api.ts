import type {
  AuditEntry,
  BulkRunsRequest,
  BulkRunsResponse,
  CreateScheduleRequest,
  DeleteRunResponse,
  Flow,
  FlowManifest,
  ListAllRunsQuery,
  ListAuditQuery,
  ListRunsQuery,
  ListSchedulesQuery,
  Occurrence,
  ReplayRunResponse,
  Run,
  RunEvent,
  RunList,
  Schedule,
  ScheduleDetail,
  SchedulePreview,
  StartFlowResponse,
  Trigger,
  UpdateScheduleRequest,
} from '@flowdeck/types';
import type { NewAuditEntry } from './audit.ts';
import type { RateLimitResult } from './rate-limit.ts';

/**
 * What the API and the worker may ask of the engine. Redis keys and BullMQ stay behind
 * this interface; callers only see the shapes of `@flowdeck/types` and `FlowdeckError`s.
 */
export interface Engine {
  flows: {
    /** Flows published by workers, each with its live workers. */
    list(): Promise<Flow[]>;
    /** Throws NotFoundError('flow_not_found'). */
    get(name: string): Promise<Flow>;
    /** The flow of a manifest already read, with its workers: one read less than `get`. */
    withWorkers(manifest: FlowManifest): Promise<Flow>;
    /** The published manifest alone, without reading the workers. Throws NotFoundError('flow_not_found'). */
    manifest(name: string): Promise<FlowManifest>;
  };
  /** The one way a run begins. Throws NotFoundError, InputInvalidError (422). */
  startFlow(flowName: string, input: unknown, options: StartFlowOptions): Promise<StartFlowResponse>;
  runs: {
    list(flowName: string, query: ListRunsQuery): Promise<RunList>;
    /** Every flow's runs, newest first (see runs/all.ts). */
    listAll(query: ListAllRunsQuery): Promise<RunList>;
    /** Throws NotFoundError('run_not_found'). */
    get(flowName: string, runId: string): Promise<Run>;
    /** Ends a queued or running run `canceled`. ConflictError('run_ended') once it has ended. */
    cancel(flowName: string, runId: string, by: { name: string; reason?: string }): Promise<Run>;
    /** Continues a failed or canceled run from its unfinished steps. ConflictError otherwise. */
    retry(flowName: string, runId: string, by: { name: string }): Promise<Run>;
    /** A new run with the run's input or `input`; InputInvalidError (422) as startFlow. */
    replay(flowName: string, runId: string, input: unknown, by: { name: string }): Promise<ReplayRunResponse>;
    /** Deletes an ended run. ConflictError('run_not_ended') while it is queued or running. */
    remove(flowName: string, runId: string): Promise<DeleteRunResponse>;
    /** One action on many runs, with a result per run (see run-bulk.ts). */
    bulk(request: BulkRunsRequest, by: { name: string }): Promise<BulkRunsResponse>;
  };
  events: {
    /**
     * Stored events after `after`, oldest first. An event's id is its position in the run's list
     * (from 1), so `after` is the number of events already seen: absent or '0', every event; an
     * id that is not a position, none.
     */
    list(flowName: string, runId: string, after?: string): Promise<RunEvent[]>;
    /**
     * Stored events after `after` (as for `list`), then live ones until the run ends or `signal`
     * aborts. Polls the list on the engine's connection; no connection is held per follower.
     */
    follow(
      flowName: string,
      runId: string,
      options: { after?: string; signal: AbortSignal },
    ): AsyncIterable<RunEvent>;
  };
  schedules: {
    /** `created` is false when `jobId` matched an existing schedule. */
    create(
      flowName: string,
      request: CreateScheduleRequest,
    ): Promise<{ schedule: Schedule; created: boolean }>;
    preview(flowName: string, request: CreateScheduleRequest, count: number): Promise<SchedulePreview>;
    list(flowName: string): Promise<Schedule[]>;
    /** One page of the flow's schedules, oldest first; `nextCursor` asks for the next. */
    page(
      flowName: string,
      query: { limit: number; cursor?: string },
    ): Promise<{ items: Schedule[]; nextCursor: string | null }>;
    listAll(query: ListSchedulesQuery): Promise<Schedule[]>;
    /**
     * One page of every flow's schedules, flows by name and each flow's oldest first. With a tag
     * or status filter a page may hold fewer than `limit`: `nextCursor` goes on from the last
     * schedule looked at.
     */
    pageAll(
      query: ListSchedulesQuery & { limit: number },
    ): Promise<{ items: Schedule[]; nextCursor: string | null }>;
    get(flowName: string, id: string, options?: { cursor?: string }): Promise<ScheduleDetail>;
    /** `ifMatch`: the version (or updatedAt) the caller last saw; a mismatch is a 409. */
    update(
      flowName: string,
      id: string,
      patch: UpdateScheduleRequest,
      options?: { ifMatch?: string },
    ): Promise<Schedule>;
    pause(flowName: string, id: string, reason?: string): Promise<Schedule>;
    resume(flowName: string, id: string): Promise<Schedule>;
    /** Fire once now through the marker path, without moving the schedule. */
    trigger(flowName: string, id: string): Promise<Occurrence>;
    remove(flowName: string, id: string): Promise<void>;
  };
  audit: {
    /** Appends to the flow's audit trail (bounded, oldest entries go first). */
    record(entry: NewAuditEntry): Promise<AuditEntry>;
    /** Newest first, across flows unless `flowName` is given. */
    list(query: ListAuditQuery): Promise<AuditEntry[]>;
  };
  rateLimit: {
    /** Counts one hit of `subject` in the current window of `windowMs`. */
    hit(subject: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  };
  health(): Promise<EngineHealth>;
  close(): Promise<void>;
}

export interface StartFlowOptions {
  trigger: Trigger;
  /** The same key never creates two runs of one flow. */
  idempotencyKey?: string;
  /** How long the key is kept (the run retention age when not given). */
  idempotencyTtlMs?: number;
}

export interface EngineHealth {
  redis: { ok: boolean; latencyMs: number | null; error?: string };
  liveWorkers: number;
}
