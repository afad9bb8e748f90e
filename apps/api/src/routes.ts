import {
  AuditList,
  BulkRunsRequest,
  BulkRunsResponse,
  CancelRunRequest,
  CreateScheduleRequest,
  DeleteRunResponse,
  DeleteScheduleResponse,
  Flow,
  FlowList,
  Health,
  JsonValue,
  ListAllRunsQuery,
  ListAuditQuery,
  ListRunsQuery,
  ListSchedulesQuery,
  PauseScheduleRequest,
  PreviewScheduleRequest,
  ReplayRunRequest,
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
  UpdateScheduleRequest,
  Whoami,
} from '@flowdeck/types';
import { z } from 'zod';
import { bulkRuns } from './handlers/bulk-runs.ts';
import { cancelRun } from './handlers/cancel-run.ts';
import { createSchedule } from './handlers/create-schedule.ts';
import { deleteRun } from './handlers/delete-run.ts';
import { deleteSchedule } from './handlers/delete-schedule.ts';
import { getFlow } from './handlers/get-flow.ts';
import { getOpenApi } from './handlers/get-openapi.ts';
import { getRun } from './handlers/get-run.ts';
import { getRunEvents } from './handlers/get-run-events.ts';
import { getSchedule } from './handlers/get-schedule.ts';
import { health } from './handlers/health.ts';
import { listAllRuns } from './handlers/list-all-runs.ts';
import { listAllSchedules } from './handlers/list-all-schedules.ts';
import { listAudit } from './handlers/list-audit.ts';
import { listFlows } from './handlers/list-flows.ts';
import { listRuns } from './handlers/list-runs.ts';
import { listSchedules } from './handlers/list-schedules.ts';
import { listTokens } from './handlers/list-tokens.ts';
import { pauseSchedule } from './handlers/pause-schedule.ts';
import { previewSchedule } from './handlers/preview-schedule.ts';
import { replayRun } from './handlers/replay-run.ts';
import { resumeSchedule } from './handlers/resume-schedule.ts';
import { retryRun } from './handlers/retry-run.ts';
import { startFlow } from './handlers/start-flow.ts';
import { triggerSchedule } from './handlers/trigger-schedule.ts';
import { updateSchedule } from './handlers/update-schedule.ts';
import { whoami } from './handlers/whoami.ts';
import { flowRoute, optionalBody, type Route, route } from './route-builder.ts';
import {
  OpenApiDocument,
  PreviewQuery,
  RunEventsQuery,
  RunParams,
  ScheduleDetailQuery,
  ScheduleListQuery,
  ScheduleParams,
} from './schemas.ts';

/** Actions that take no options still refuse a body that is not a JSON object. */
const EmptyBody = optionalBody(z.object({}).strict());

/**
 * Every route of the API, and the only list of them: Express mounts this table and the
 * OpenAPI document is built from it. Order matters where paths overlap:
 * `/api/_flows/schedules` comes before `/api/_flows/:name`, so "schedules" is never taken for
 * a flow name.
 */
export const routes: Route[] = [
  route({
    method: 'get',
    path: '/api/health',
    scope: 'public',
    summary: 'Whether Redis answers and how many workers are live',
    description: 'Answers 503 with the same body while Redis cannot be reached.',
    responses: { 200: Health },
    errors: [503],
    handler: health,
  }),
  route({
    method: 'get',
    path: '/api/openapi.json',
    scope: 'public',
    summary: 'This API as an OpenAPI 3.1 document',
    responses: { 200: OpenApiDocument },
    handler: getOpenApi,
  }),
  route({
    method: 'get',
    path: '/api/auth/whoami',
    scope: 'public',
    summary: 'Whether the API needs a token and, with one, whose it is and its scopes',
    description:
      'Public, so a client can tell whether to ask for a token. A token that is sent must be valid (401).',
    responses: { 200: Whoami },
    handler: whoami,
  }),
  route({
    method: 'get',
    path: '/api/_tokens',
    scope: 'admin',
    summary: 'The configured tokens: names and scopes, never secrets',
    responses: { 200: TokenList },
    handler: listTokens,
  }),
  route({
    method: 'get',
    path: '/api/_audit',
    scope: 'admin',
    summary: 'The audit trail: every write with who, what, when, and before/after, newest first',
    query: ListAuditQuery,
    responses: { 200: AuditList },
    handler: listAudit,
  }),
  route({
    method: 'get',
    path: '/api/_runs',
    scope: 'read',
    summary: "Every flow's runs, newest first, a page at a time",
    description:
      '`from` and `to` bound the creation time (ms). A page filtered by status, trigger or schedule looks at up to 2,000 runs, so it may hold fewer than `limit` while `nextCursor` goes on.',
    query: ListAllRunsQuery,
    responses: { 200: RunList },
    handler: listAllRuns,
  }),
  route({
    method: 'post',
    path: '/api/_runs/bulk',
    scope: 'operate',
    audit: 'run.bulk',
    summary: 'One action (cancel, retry, replay, delete) on many runs, with a result per run',
    description:
      'Name the runs (`runs`: up to 1,000 `{ flowName, runId }`) or select them (`filter`, as GET /api/_runs; the newest 1,000, `more` when others matched). Each result is `ok` or carries the status and problem `code` that run answered with. `delete` needs the admin scope.',
    body: BulkRunsRequest,
    responses: { 200: BulkRunsResponse },
    errors: [403],
    handler: bulkRuns,
  }),
  route({
    method: 'get',
    path: '/api/_flows',
    scope: 'read',
    summary: 'Flows the workers publish, with their steps, input schema and live workers',
    responses: { 200: FlowList },
    handler: listFlows,
  }),
  route({
    method: 'get',
    path: '/api/_flows/schedules',
    scope: 'read',
    summary: "Every flow's schedules, filtered by flow, tag or status",
    query: ListSchedulesQuery,
    responses: { 200: ScheduleList },
    handler: listAllSchedules,
  }),

  flowRoute({
    method: 'get',
    path: '/api/_flows/:name',
    scope: 'read',
    summary: 'One flow',
    responses: { 200: Flow },
    handler: getFlow,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/start',
    scope: 'operate',
    audit: 'run.start',
    summary: 'Start a run; the body is the flow input (none means {})',
    description:
      'The input is checked against the flow input schema (422 naming the field). An `Idempotency-Key` header makes a repeated call return the first run (`created: false`).',
    body: optionalBody(JsonValue),
    headers: {
      'Idempotency-Key': 'A repeated start with the same key answers the first run (`created: false`).',
      'X-Flowdeck-Trigger': '`manual` marks a run a person started by hand; otherwise the trigger is `api`.',
    },
    responses: { 202: StartFlowResponse },
    errors: [422],
    handler: startFlow,
  }),

  flowRoute({
    method: 'get',
    path: '/api/_flows/:name/runs',
    scope: 'read',
    summary: 'Runs of the flow, newest first, a page at a time',
    query: ListRunsQuery,
    responses: { 200: RunList },
    handler: listRuns,
  }),
  flowRoute({
    method: 'get',
    path: '/api/_flows/:name/runs/:runId',
    scope: 'read',
    summary: 'One run with the state of each step',
    params: RunParams,
    responses: { 200: Run },
    handler: getRun,
  }),
  flowRoute({
    method: 'get',
    path: '/api/_flows/:name/runs/:runId/events',
    scope: 'read',
    summary: "The run's events; live as Server-Sent Events when asked for text/event-stream",
    description:
      'As SSE: the stored events, then live ones until the run ends; each has `id:` (resume with `Last-Event-ID` or `?after=`), `event:` (its type) and `data:` (a RunEvent as JSON).',
    params: RunParams,
    query: RunEventsQuery,
    // `Accept` chooses SSE; OpenAPI leaves Accept out of header parameters, the description says it.
    headers: { 'Last-Event-ID': 'Resume a stream after this event id (as EventSource sends on reconnect).' },
    responses: { 200: RunEventList },
    eventStream: true,
    handler: getRunEvents,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/runs/:runId/cancel',
    scope: 'operate',
    audit: 'run.cancel',
    summary: 'Cancel a queued or running run',
    description:
      'The run ends `canceled` at once: steps not started are skipped, and a running step has its `signal` aborted with a RunCancelledError within a second (what it returns later is ignored). 409 `run_ended` once the run has ended.',
    params: RunParams,
    body: optionalBody(CancelRunRequest),
    responses: { 200: Run },
    errors: [409],
    handler: cancelRun,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/runs/:runId/retry',
    scope: 'operate',
    audit: 'run.retry',
    summary: 'Continue a failed or canceled run from the steps that did not complete',
    description:
      'Completed steps keep their outputs and do not run again; the others run with their retry policy afresh, their attempts numbered after the ones made. 409 `run_not_ended` while the run is queued or running, or once it completed.',
    params: RunParams,
    body: EmptyBody,
    responses: { 200: Run },
    errors: [409],
    handler: retryRun,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/runs/:runId/replay',
    scope: 'operate',
    audit: 'run.replay',
    summary: "A new run of the flow with this run's input, or an edited one",
    description:
      "`input` replaces the run's input (checked against the flow's input schema: 422 naming the field). The new run's trigger is `{ type: 'replay', of }`, and the original lists it in `replays`.",
    params: RunParams,
    body: optionalBody(ReplayRunRequest),
    responses: { 202: ReplayRunResponse },
    errors: [422],
    handler: replayRun,
  }),
  flowRoute({
    method: 'delete',
    path: '/api/_flows/:name/runs/:runId',
    scope: 'admin',
    audit: 'run.delete',
    summary: 'Delete an ended run and its events',
    description: '409 `run_not_ended` while the run is queued or running: cancel it first.',
    params: RunParams,
    responses: { 200: DeleteRunResponse },
    errors: [409],
    handler: deleteRun,
  }),

  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/schedule',
    scope: 'operate',
    audit: 'schedule.create',
    summary: 'Create a schedule: exactly one of cron, every, delay, at',
    description:
      'Answers 201 with the new schedule, or 200 with the existing one when `jobId` names a schedule created before.',
    body: CreateScheduleRequest,
    responses: { 201: Schedule, 200: Schedule },
    errors: [422],
    handler: createSchedule,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/schedule/preview',
    scope: 'read',
    summary: 'What a schedule would do (text, next fire times, warnings), without creating it',
    query: PreviewQuery,
    body: PreviewScheduleRequest,
    responses: { 200: SchedulePreview },
    handler: previewSchedule,
  }),
  flowRoute({
    method: 'get',
    path: '/api/_flows/:name/schedules',
    scope: 'read',
    summary: "The flow's schedules",
    query: ScheduleListQuery,
    responses: { 200: ScheduleList },
    handler: listSchedules,
  }),
  flowRoute({
    method: 'get',
    path: '/api/_flows/:name/schedules/:id',
    scope: 'read',
    summary: 'One schedule with its next fire times and its recent occurrences',
    params: ScheduleParams,
    query: ScheduleDetailQuery,
    responses: { 200: ScheduleDetail },
    handler: getSchedule,
  }),
  flowRoute({
    method: 'patch',
    path: '/api/_flows/:name/schedules/:id',
    scope: 'operate',
    audit: 'schedule.update',
    summary: 'Edit a schedule in place',
    description: '`If-Match` with the version last seen turns a concurrent edit into a 409.',
    params: ScheduleParams,
    body: UpdateScheduleRequest,
    headers: {
      'If-Match': 'The version last seen; a schedule changed since answers 409 `version_conflict`.',
    },
    responses: { 200: Schedule },
    errors: [409, 422],
    handler: updateSchedule,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/schedules/:id/pause',
    scope: 'operate',
    audit: 'schedule.pause',
    summary: 'Pause a schedule: it stops firing until resumed',
    params: ScheduleParams,
    body: optionalBody(PauseScheduleRequest),
    responses: { 200: Schedule },
    errors: [409],
    handler: pauseSchedule,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/schedules/:id/resume',
    scope: 'operate',
    audit: 'schedule.resume',
    summary: 'Resume a paused schedule from its next fire time after now',
    params: ScheduleParams,
    body: EmptyBody,
    responses: { 200: Schedule },
    errors: [409],
    handler: resumeSchedule,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/schedules/:id/trigger',
    scope: 'operate',
    audit: 'schedule.trigger',
    summary: 'Fire a schedule once now, paused or not',
    params: ScheduleParams,
    body: EmptyBody,
    responses: { 202: TriggerScheduleResponse },
    handler: triggerSchedule,
  }),
  flowRoute({
    method: 'delete',
    path: '/api/_flows/:name/schedules/:id',
    scope: 'operate',
    audit: 'schedule.delete',
    summary: 'Delete a schedule and its trigger; its past runs stay',
    params: ScheduleParams,
    responses: { 200: DeleteScheduleResponse },
    handler: deleteSchedule,
  }),
];
