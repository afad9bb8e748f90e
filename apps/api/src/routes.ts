import {
  CreateScheduleRequest,
  JsonValue,
  ListRunsQuery,
  ListSchedulesQuery,
  PauseScheduleRequest,
  PreviewScheduleRequest,
  UpdateScheduleRequest,
} from '@flowdeck/types';
import { z } from 'zod';
import { createSchedule } from './handlers/create-schedule.ts';
import { deleteSchedule } from './handlers/delete-schedule.ts';
import { getFlow } from './handlers/get-flow.ts';
import { getRun } from './handlers/get-run.ts';
import { getRunEvents } from './handlers/get-run-events.ts';
import { getSchedule } from './handlers/get-schedule.ts';
import { health } from './handlers/health.ts';
import { listAllSchedules } from './handlers/list-all-schedules.ts';
import { listFlows } from './handlers/list-flows.ts';
import { listRuns } from './handlers/list-runs.ts';
import { listSchedules } from './handlers/list-schedules.ts';
import { pauseSchedule } from './handlers/pause-schedule.ts';
import { previewSchedule } from './handlers/preview-schedule.ts';
import { resumeSchedule } from './handlers/resume-schedule.ts';
import { startFlow } from './handlers/start-flow.ts';
import { triggerSchedule } from './handlers/trigger-schedule.ts';
import { updateSchedule } from './handlers/update-schedule.ts';
import { flowRoute, optionalBody, type Route, route } from './route-builder.ts';
import { PreviewQuery, RunEventsQuery, RunParams, ScheduleDetailQuery, ScheduleParams } from './schemas.ts';

/** Actions that take no options still refuse a body that is not a JSON object. */
const EmptyBody = optionalBody(z.object({}).strict());

/**
 * Every route of the API. Order matters where paths overlap: `/api/_flows/schedules` comes
 * before `/api/_flows/:name`, so "schedules" is never taken for a flow name.
 */
export const routes: Route[] = [
  route({ method: 'get', path: '/api/health', handler: health }),
  route({ method: 'get', path: '/api/_flows', handler: listFlows }),
  route({
    method: 'get',
    path: '/api/_flows/schedules',
    query: ListSchedulesQuery,
    handler: listAllSchedules,
  }),

  flowRoute({ method: 'get', path: '/api/_flows/:name', handler: getFlow }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/start',
    body: optionalBody(JsonValue),
    handler: startFlow,
  }),

  flowRoute({ method: 'get', path: '/api/_flows/:name/runs', query: ListRunsQuery, handler: listRuns }),
  flowRoute({ method: 'get', path: '/api/_flows/:name/runs/:runId', params: RunParams, handler: getRun }),
  flowRoute({
    method: 'get',
    path: '/api/_flows/:name/runs/:runId/events',
    params: RunParams,
    query: RunEventsQuery,
    handler: getRunEvents,
  }),

  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/schedule',
    body: CreateScheduleRequest,
    handler: createSchedule,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/schedule/preview',
    query: PreviewQuery,
    body: PreviewScheduleRequest,
    handler: previewSchedule,
  }),
  flowRoute({ method: 'get', path: '/api/_flows/:name/schedules', handler: listSchedules }),
  flowRoute({
    method: 'get',
    path: '/api/_flows/:name/schedules/:id',
    params: ScheduleParams,
    query: ScheduleDetailQuery,
    handler: getSchedule,
  }),
  flowRoute({
    method: 'patch',
    path: '/api/_flows/:name/schedules/:id',
    params: ScheduleParams,
    body: UpdateScheduleRequest,
    handler: updateSchedule,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/schedules/:id/pause',
    params: ScheduleParams,
    body: optionalBody(PauseScheduleRequest),
    handler: pauseSchedule,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/schedules/:id/resume',
    params: ScheduleParams,
    body: EmptyBody,
    handler: resumeSchedule,
  }),
  flowRoute({
    method: 'post',
    path: '/api/_flows/:name/schedules/:id/trigger',
    params: ScheduleParams,
    body: EmptyBody,
    handler: triggerSchedule,
  }),
  flowRoute({
    method: 'delete',
    path: '/api/_flows/:name/schedules/:id',
    params: ScheduleParams,
    handler: deleteSchedule,
  }),
];
