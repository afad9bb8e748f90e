import type {
  CreateScheduleRequest,
  Occurrence,
  ScheduleDetail,
  SchedulePreview,
  UpdateScheduleRequest,
} from '@flowdeck/types';
import type { Job } from 'bullmq';
import type { Engine } from '../api.ts';
import type { EngineContext } from '../context.ts';
import { ConflictError, InputInvalidError, InvalidRequestError } from '../errors.ts';
import { newScheduleId } from '../ids.ts';
import { describeInputErrors, inputErrors } from '../input-schema.ts';
import type { ScheduledStartMarker } from '../jobs.ts';
import type { Queues } from '../queues.ts';
import type { Registry } from '../registry.ts';
import type { RunStore } from '../runs.ts';
import type { StartRun } from '../start-flow.ts';
import { Backlogs } from './backlog.ts';
import { abandon, type FireDeps, fire, settlePause } from './fire.ts';
import { KnownSchedules } from './known.ts';
import { listAll, listFlow, type PageDeps, pageAll, pageFlow } from './pages.ts';
import { applyPatch, assertMatches } from './patch.ts';
import { checkTriggers, reconcile, type Suspects } from './reconcile.ts';
import type { ScheduleRecord, ScheduleStats } from './record.ts';
import {
  describeTiming,
  nextFires,
  specOf,
  type Timing,
  timingOf,
  validateTiming,
  windowOf,
} from './spec.ts';
import { createScheduleStore } from './store.ts';
import { createTriggers } from './triggers.ts';
import { remainingFires, view, viewOne } from './view.ts';
import { scheduleWarnings } from './warnings.ts';

/**
 * Schedules: Flowdeck's store is the source of truth and the BullMQ trigger follows it.
 * Every change writes the store first (compare-and-set on the version), then replaces the
 * trigger; if the trigger cannot be changed, the store is put back, so a failure half-way
 * leaves the schedule as it was. Workers reconcile the two at start-up.
 */

export interface ScheduleDeps {
  registry: Registry;
  runs: RunStore;
  queues: Queues;
  startRun: StartRun;
}

/** What the schedule operations share: one set per engine. */
export interface ScheduleParts extends FireDeps, PageDeps {
  registry: Registry;
}

const RECENT_OCCURRENCES = 20;

/** The counters of a schedule nothing has fired yet. */
const NO_STATS: ScheduleStats = { count: 0, fires: 0, lastRun: null, lastRunId: null, lastPlanned: null };

function checkInput(flow: string, schema: Record<string, unknown> | null, input: unknown) {
  const errors = inputErrors(schema, input);
  if (errors.length > 0) throw new InputInvalidError(describeInputErrors(flow, errors), errors);
}

/** A new schedule's record, from a request whose timing and input were checked. */
function newRecord(
  flowName: string,
  step: string,
  request: CreateScheduleRequest,
  timing: Timing,
  now: number,
): ScheduleRecord {
  return {
    id: newScheduleId(),
    flowName,
    step,
    spec: specOf(request),
    anchor: now,
    onceAt: timing.kind === 'once' ? timing.at : null,
    status: 'active',
    pausedReason: null,
    input: request.input ?? {},
    metadata: request.metadata ?? {},
    overlap: request.overlap ?? 'allow',
    catchupWindowMs: request.catchupWindowMs ?? null,
    startDate: request.startDate ?? null,
    endDate: request.endDate ?? null,
    limit: request.limit ?? null,
    jobId: request.jobId ?? null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Writes a new schedule's record. With a client jobId another schedule already holds, nothing is
 * written and that schedule's id is returned.
 */
async function writeNew({ store }: Pick<ScheduleParts, 'store'>, record: ScheduleRecord) {
  if (record.jobId !== null) return store.createClaiming({ ...record, jobId: record.jobId });
  await store.write(record, null);
  return null;
}

/** Installs a new schedule's trigger; if that fails, the record goes again. */
async function installNew({ store, triggers }: ScheduleParts, record: ScheduleRecord, now: number) {
  try {
    await triggers.install(record, record.limit, now);
  } catch (error) {
    await triggers.uninstall(record).catch(() => {});
    await store.remove(record).catch(() => {});
    throw error;
  }
}

export async function createSchedule(parts: ScheduleParts, flowName: string, request: CreateScheduleRequest) {
  const manifest = await parts.registry.manifest(flowName);
  const now = Date.now();
  const timing = timingOf(specOf(request), now);
  validateTiming(timing, windowOf(request), now, { isNew: true });
  checkInput(flowName, manifest.inputSchema, request.input ?? {});
  const record = newRecord(flowName, manifest.entrySteps[0] ?? '', request, timing, now);
  const holder = await writeNew(parts, record);
  if (holder)
    return { schedule: await viewOne(parts, await parts.store.get(flowName, holder)), created: false };
  await installNew(parts, record, now);
  parts.ctx.logger.info('schedule created', { flow: flowName, scheduleId: record.id, spec: record.spec });
  // Nothing has fired yet and its trigger was just installed from the same timing: no reads needed.
  const next = nextFires(timing, windowOf(record), now, now, 1, record.limit)[0] ?? null;
  return { schedule: await view(parts, record, NO_STATS, { installed: true, next }), created: true };
}

export async function previewSchedule(
  { registry }: Pick<ScheduleParts, 'registry'>,
  flowName: string,
  request: CreateScheduleRequest,
  count: number,
): Promise<SchedulePreview> {
  await registry.manifest(flowName);
  const now = Date.now();
  const timing = timingOf(specOf(request), now);
  const window = windowOf(request);
  validateTiming(timing, window, now, { isNew: true });
  return {
    description: describeTiming(timing),
    nextRuns: nextFires(timing, window, now, now, count, request.limit ?? null),
    warnings: scheduleWarnings(timing, now),
  };
}

/**
 * The cursor of a schedule's history is a planned fire time from `nextCursor`; anything else would
 * reach Redis as a bad range.
 */
function checkHistoryCursor(cursor: string | undefined) {
  if (cursor === undefined || /^\d{1,16}$/.test(cursor)) return;
  const message = 'expected the nextCursor of a previous page (a time in milliseconds)';
  throw new InvalidRequestError(`cursor: ${message}`, [{ path: 'query.cursor', message }]);
}

/** The schedule with its next five fires (none unless active) and a page of its history. */
export async function scheduleDetail(
  parts: ScheduleParts,
  flowName: string,
  id: string,
  options: { cursor?: string } = {},
): Promise<ScheduleDetail> {
  checkHistoryCursor(options.cursor);
  const record = await parts.store.get(flowName, id);
  const schedule = await viewOne(parts, record);
  const timing = timingOf(record.spec, record.anchor);
  const upcoming =
    schedule.status === 'active'
      ? nextFires(timing, windowOf(record), record.anchor, Date.now(), 5, await remainingFires(parts, record))
      : [];
  const recent = await parts.store.occurrences(flowName, id, {
    cursor: options.cursor,
    limit: RECENT_OCCURRENCES,
  });
  return { ...schedule, upcoming, recent };
}

/** After a failed trigger swap: `previous` is written back over `next`, with its trigger. */
async function restore(parts: ScheduleParts, previous: ScheduleRecord, next: ScheduleRecord) {
  const restored = { ...previous, version: next.version + 1, updatedAt: Date.now() };
  await parts.store.write(restored, next.version);
  await parts.triggers.uninstall(next).catch(() => {});
  if (previous.status === 'active') {
    await parts.triggers.install(restored, await remainingFires(parts, restored)).catch(() => {});
  }
}

/** Writes `next` over `previous`, then swaps the trigger; puts `previous` back on failure. */
async function replace(parts: ScheduleParts, previous: ScheduleRecord, next: ScheduleRecord) {
  await parts.store.write(next, previous.version);
  try {
    if (previous.status === 'active') await parts.triggers.uninstall(previous);
    if (next.status === 'active') await parts.triggers.install(next, await remainingFires(parts, next));
  } catch (error) {
    parts.ctx.logger.error('could not update a schedule trigger; restoring the previous schedule', {
      flow: next.flowName,
      scheduleId: next.id,
      error: (error as Error).message,
    });
    await restore(parts, previous, next);
    throw error;
  }
  return viewOne(parts, next);
}

export async function updateSchedule(
  parts: ScheduleParts,
  flowName: string,
  id: string,
  patch: UpdateScheduleRequest,
  options: { ifMatch?: string } = {},
) {
  const record = await parts.store.get(flowName, id);
  if (options.ifMatch !== undefined) assertMatches(record, options.ifMatch);
  const now = Date.now();
  const next = applyPatch(record, patch, now);
  if (next === record) return viewOne(parts, record);
  // A new timing or a new end date must lie ahead; one left as it was may be in the past.
  validateTiming(timingOf(next.spec, next.anchor), windowOf(next), now, {
    isNew: next.anchor !== record.anchor || next.endDate !== record.endDate,
  });
  if (patch.input !== undefined) {
    checkInput(flowName, (await parts.registry.manifest(flowName)).inputSchema, next.input);
  }
  return replace(parts, record, next);
}

/** Pause or resume; a no-op when already there, refused once the schedule completed. */
export async function setStatus(
  parts: ScheduleParts,
  flowName: string,
  id: string,
  status: 'active' | 'paused',
  reason: string | null,
) {
  const record = await parts.store.get(flowName, id);
  if (record.status === 'completed') {
    throw new ConflictError(
      'schedule_completed',
      `schedule '${id}' has completed; edit it to schedule it again`,
    );
  }
  if (record.status === status) return viewOne(parts, record);
  const now = Date.now();
  const next = { ...record, status, pausedReason: reason, version: record.version + 1, updatedAt: now };
  const schedule = await replace(parts, record, next);
  if (status === 'paused') await settlePause(parts, record, now);
  return schedule;
}

/** Queues a fire now; the worker records its occurrence, which the schedule's history shows. */
export async function triggerNow(parts: ScheduleParts, flowName: string, id: string): Promise<Occurrence> {
  const record = await parts.store.get(flowName, id);
  const job = await parts.triggers.fireNow(record);
  const scheduledFor = (job.data as ScheduledStartMarker).__scheduledFor!;
  return { scheduledFor, firedAt: scheduledFor, outcome: 'queued', manual: true };
}

export async function removeSchedule(parts: ScheduleParts, flowName: string, id: string) {
  const record = await parts.store.get(flowName, id);
  // The record goes first: a trigger left behind finds no schedule, fires nothing,
  // and is removed by the next reconcile.
  await parts.store.remove(record);
  await parts.triggers.uninstall(record);
  parts.ctx.logger.info('schedule deleted', { flow: flowName, scheduleId: id });
}

/** Counts the jobs due and not yet taken in each flow's queue, for the overload rule (see backlog.ts). */
async function checkBacklogs(queues: Queues, backlogs: Backlogs, flows: string[]) {
  await Promise.all(
    flows.map(async (flow) => {
      const waiting = await queues.dueJobs(flow).catch(() => undefined);
      backlogs.observe(flow, waiting, Date.now());
    }),
  );
}

export function createScheduleService(ctx: EngineContext, deps: ScheduleDeps) {
  const store = createScheduleStore(ctx);
  const triggers = createTriggers(ctx, deps.queues);
  const parts: ScheduleParts = {
    ...deps,
    ctx,
    store,
    triggers,
    known: new KnownSchedules(),
    backlogs: new Backlogs(),
  };
  // Schedules the last periodic check found without a working trigger (see checkTriggers).
  const suspects: Suspects = new Map();
  const api: Engine['schedules'] = {
    create: (flowName, request) => createSchedule(parts, flowName, request),
    preview: (flowName, request, count) => previewSchedule(parts, flowName, request, count),
    list: (flowName) => listFlow(parts, flowName),
    page: (flowName, query) => pageFlow(parts, flowName, query),
    listAll: (query) => listAll(parts, query),
    pageAll: (query) => pageAll(parts, query),
    get: (flowName, id, options) => scheduleDetail(parts, flowName, id, options),
    update: (flowName, id, patch, options) => updateSchedule(parts, flowName, id, patch, options),
    pause: (flowName, id, reason) => setStatus(parts, flowName, id, 'paused', reason ?? null),
    resume: (flowName, id) => setStatus(parts, flowName, id, 'active', null),
    trigger: (flowName, id) => triggerNow(parts, flowName, id),
    remove: (flowName, id) => removeSchedule(parts, flowName, id),
  };
  return {
    api,
    reconcile: (flows: string[]) => reconcile(parts, flows),
    checkTriggers: (flows: string[]) => checkTriggers(parts, suspects, flows),
    fire: (job: Job, marker: ScheduledStartMarker, options: { holdEntryStep: boolean }) =>
      fire(parts, job, marker, options),
    abandon: (job: Job, marker: ScheduledStartMarker) => abandon(parts, job, marker),
    checkBacklogs: (flows: string[]) => checkBacklogs(deps.queues, parts.backlogs, flows),
  };
}
