import type {
  CreateScheduleRequest,
  ListSchedulesQuery,
  Occurrence,
  Schedule,
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
import { createFireHandler } from './fire.ts';
import { applyPatch, assertMatches } from './patch.ts';
import { createReconciler } from './reconcile.ts';
import { isRecurring, type ScheduleRecord, type ScheduleStats } from './record.ts';
import { describeTiming, nextFires, specOf, timingOf, validateTiming, windowOf } from './spec.ts';
import { createScheduleStore, indexEntry, SCHEDULE_CURSOR } from './store.ts';
import { createTriggers } from './triggers.ts';
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

const RECENT_OCCURRENCES = 20;

/** A page of every flow's schedules ends after its last schedule: `<flow>:<index entry>`. */
const ALL_SCHEDULES_CURSOR = /^([a-z0-9][a-z0-9_-]{0,63}):([0-9a-z]{9}:sch_[0-9a-z]{1,40})$/;
/** Schedules a filtered page looks at before it answers with what it found, so it stays quick. */
const LOOKED_AT_PER_PAGE = 2000;

const matching = (query: Pick<ListSchedulesQuery, 'tag' | 'status'>) => (schedule: Schedule) =>
  (query.tag === undefined || (schedule.metadata.tags ?? []).includes(query.tag)) &&
  (query.status === undefined || schedule.status === query.status);

export function createScheduleService(ctx: EngineContext, deps: ScheduleDeps) {
  const store = createScheduleStore(ctx);
  const triggers = createTriggers(ctx, deps.queues);
  const fires = createFireHandler(ctx, { store, triggers, runs: deps.runs, startRun: deps.startRun });
  const reconciler = createReconciler(ctx, { store, triggers });

  async function remainingFires(record: ScheduleRecord, stats?: ScheduleStats) {
    if (record.limit === null) return null;
    const fires = (stats ?? (await store.stats(record.flowName, [record.id])).get(record.id))?.fires ?? 0;
    return Math.max(0, record.limit - fires);
  }

  /** `trigger`: what BullMQ holds for it, when the caller knows (it was just installed); else it is read. */
  async function view(
    record: ScheduleRecord,
    stats: ScheduleStats,
    trigger?: { installed: boolean; next: number | null },
  ): Promise<Schedule> {
    const now = Date.now();
    let status = record.status;
    let nextRun: number | null = null;
    if (status === 'active') {
      const remaining = await remainingFires(record, stats);
      const { installed, next } = trigger ?? (await triggers.inspect(record));
      const endDate = record.endDate === null ? null : Date.parse(record.endDate);
      // A recurring trigger that fires next in the future, within the window and the limit, is
      // the next planned fire itself; only otherwise is it computed (a cron parse per schedule
      // is most of a listing's time).
      const upcoming =
        isRecurring(record) &&
        installed &&
        next !== null &&
        next > now &&
        (remaining === null || remaining > 0) &&
        (endDate === null || next <= endDate);
      const planned = upcoming
        ? next
        : nextFires(
            timingOf(record.spec, record.anchor),
            windowOf(record),
            record.anchor,
            now,
            1,
            remaining,
          )[0];
      nextRun = installed ? next : (planned ?? null);
      if (isRecurring(record) && planned === undefined) status = 'completed';
      if (nextRun !== null && endDate !== null && nextRun > endDate) nextRun = null;
      if (status === 'completed') nextRun = null;
    }
    return {
      id: record.id,
      flowName: record.flowName,
      queue: record.flowName,
      step: record.step,
      schedule: record.spec,
      status,
      pausedReason: record.pausedReason,
      nextRun,
      input: record.input,
      metadata: record.metadata,
      stats: { count: stats.count, lastRun: stats.lastRun },
      overlap: record.overlap,
      catchupWindowMs: record.catchupWindowMs,
      startDate: record.startDate,
      endDate: record.endDate,
      limit: record.limit,
      jobId: record.jobId,
      version: record.version,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  async function views(flow: string, records: ScheduleRecord[]) {
    const active = records.filter((r) => r.status === 'active');
    const [stats, installed] = await Promise.all([
      store.stats(
        flow,
        records.map((r) => r.id),
      ),
      triggers.inspectMany(flow, active),
    ]);
    return Promise.all(records.map((r) => view(r, stats.get(r.id)!, installed.get(r.id))));
  }

  const viewOne = async (record: ScheduleRecord) => (await views(record.flowName, [record]))[0]!;

  function checkInput(flow: string, schema: Record<string, unknown> | null, input: unknown) {
    const errors = inputErrors(schema, input);
    if (errors.length > 0) throw new InputInvalidError(describeInputErrors(flow, errors), errors);
  }

  /** Writes `next` over `previous`, then swaps the trigger; puts `previous` back on failure. */
  async function replace(previous: ScheduleRecord, next: ScheduleRecord) {
    await store.write(next, previous.version);
    try {
      if (previous.status === 'active') await triggers.uninstall(previous);
      if (next.status === 'active') await triggers.install(next, await remainingFires(next));
    } catch (error) {
      ctx.logger.error('could not update a schedule trigger; restoring the previous schedule', {
        flow: next.flowName,
        scheduleId: next.id,
        error: (error as Error).message,
      });
      const restored = { ...previous, version: next.version + 1, updatedAt: Date.now() };
      await store.write(restored, next.version);
      await triggers.uninstall(next).catch(() => {});
      if (previous.status === 'active')
        await triggers.install(restored, await remainingFires(restored)).catch(() => {});
      throw error;
    }
    return viewOne(next);
  }

  /** Pause or resume; a no-op when already there, refused once the schedule completed. */
  async function setStatus(flowName: string, id: string, status: 'active' | 'paused', reason: string | null) {
    const record = await store.get(flowName, id);
    if (record.status === 'completed') {
      throw new ConflictError(
        'schedule_completed',
        `schedule '${id}' has completed; edit it to schedule it again`,
      );
    }
    if (record.status === status) return viewOne(record);
    const now = Date.now();
    const schedule = await replace(record, {
      ...record,
      status,
      pausedReason: reason,
      version: record.version + 1,
      updatedAt: now,
    });
    if (status === 'paused') await fires.settlePause(record, now);
    return schedule;
  }

  const api: Engine['schedules'] = {
    async create(flowName, request: CreateScheduleRequest) {
      const manifest = await deps.registry.manifest(flowName);
      const now = Date.now();
      const spec = specOf(request);
      const timing = timingOf(spec, now);
      validateTiming(timing, windowOf(request), now, { isNew: true });
      const input = request.input ?? {};
      checkInput(flowName, manifest.inputSchema, input);
      const id = newScheduleId();
      const record: ScheduleRecord = {
        id,
        flowName,
        step: manifest.entrySteps[0] ?? '',
        spec,
        anchor: now,
        onceAt: timing.kind === 'once' ? timing.at : null,
        status: 'active',
        pausedReason: null,
        input,
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
      if (record.jobId !== null) {
        const holder = await store.createClaiming({ ...record, jobId: record.jobId });
        if (holder) return { schedule: await viewOne(await store.get(flowName, holder)), created: false };
      } else {
        await store.write(record, null);
      }
      try {
        await triggers.install(record, record.limit, now);
      } catch (error) {
        await triggers.uninstall(record).catch(() => {});
        await store.remove(record).catch(() => {});
        throw error;
      }
      ctx.logger.info('schedule created', { flow: flowName, scheduleId: id, spec });
      // Nothing has fired yet and its trigger was just installed from the same timing: no reads needed.
      const noStats = { count: 0, fires: 0, lastRun: null, lastRunId: null, lastPlanned: null };
      const next = nextFires(timing, windowOf(record), now, now, 1, record.limit)[0] ?? null;
      return { schedule: await view(record, noStats, { installed: true, next }), created: true };
    },

    async preview(flowName, request, count) {
      await deps.registry.manifest(flowName);
      const now = Date.now();
      const timing = timingOf(specOf(request), now);
      const window = windowOf(request);
      validateTiming(timing, window, now, { isNew: true });
      const preview: SchedulePreview = {
        description: describeTiming(timing),
        nextRuns: nextFires(timing, window, now, now, count, request.limit ?? null),
        warnings: scheduleWarnings(timing, now),
      };
      return preview;
    },

    async list(flowName) {
      await deps.registry.manifest(flowName);
      return views(flowName, await store.all(flowName));
    },

    async page(flowName, query) {
      await deps.registry.manifest(flowName);
      if (query.cursor !== undefined && !SCHEDULE_CURSOR.test(query.cursor)) {
        const message = 'expected the cursor of a previous page';
        throw new InvalidRequestError(`cursor: ${message}`, [{ path: 'query.cursor', message }]);
      }
      const { records, nextCursor } = await store.page(flowName, query);
      return { items: await views(flowName, records), nextCursor };
    },

    async listAll(query: ListSchedulesQuery) {
      const flows = query.flowName ? [query.flowName] : await store.flowsWithSchedules();
      const all = (await Promise.all(flows.map(async (flow) => views(flow, await store.all(flow))))).flat();
      return all.filter(matching(query));
    },

    async pageAll(query) {
      const from = query.cursor === undefined ? undefined : ALL_SCHEDULES_CURSOR.exec(query.cursor);
      if (from === null) {
        const message = 'expected the cursor of a previous page';
        throw new InvalidRequestError(`cursor: ${message}`, [{ path: 'query.cursor', message }]);
      }
      const [, fromFlow = '', fromEntry] = from ?? [];
      const all = query.flowName ? [query.flowName] : await store.flowsWithSchedules();
      const flows = all.filter((flow) => flow >= fromFlow);
      const matches = matching(query);
      const items: Schedule[] = [];
      let looked = 0;
      for (const flow of flows) {
        let cursor = flow === fromFlow ? fromEntry : undefined;
        do {
          const page = await store.page(flow, { limit: query.limit, cursor });
          const schedules = await views(flow, page.records);
          for (const [i, schedule] of schedules.entries()) {
            looked++;
            if (matches(schedule)) items.push(schedule);
            if (items.length < query.limit && looked < LOOKED_AT_PER_PAGE) continue;
            const more = i < schedules.length - 1 || page.nextCursor !== null || flow !== flows.at(-1);
            return { items, nextCursor: more ? `${flow}:${indexEntry(page.records[i]!)}` : null };
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
      return { items, nextCursor: null };
    },

    async get(flowName, id, options = {}): Promise<ScheduleDetail> {
      // The cursor is a planned fire time from `nextCursor`; anything else would reach Redis as a bad range.
      if (options.cursor !== undefined && !/^\d{1,16}$/.test(options.cursor)) {
        const message = 'expected the nextCursor of a previous page (a time in milliseconds)';
        throw new InvalidRequestError(`cursor: ${message}`, [{ path: 'query.cursor', message }]);
      }
      const record = await store.get(flowName, id);
      const schedule = await viewOne(record);
      const upcoming =
        schedule.status === 'active'
          ? nextFires(
              timingOf(record.spec, record.anchor),
              windowOf(record),
              record.anchor,
              Date.now(),
              5,
              await remainingFires(record),
            )
          : [];
      const recent = await store.occurrences(flowName, id, {
        cursor: options.cursor,
        limit: RECENT_OCCURRENCES,
      });
      return { ...schedule, upcoming, recent };
    },

    async update(flowName, id, patch: UpdateScheduleRequest, options = {}) {
      const record = await store.get(flowName, id);
      if (options.ifMatch !== undefined) assertMatches(record, options.ifMatch);
      const now = Date.now();
      const next = applyPatch(record, patch, now);
      if (next === record) return viewOne(record);
      // A new timing or a new end date must lie ahead; one left as it was may be in the past.
      validateTiming(timingOf(next.spec, next.anchor), windowOf(next), now, {
        isNew: next.anchor !== record.anchor || next.endDate !== record.endDate,
      });
      if (patch.input !== undefined)
        checkInput(flowName, (await deps.registry.manifest(flowName)).inputSchema, next.input);
      return replace(record, next);
    },

    pause: (flowName, id, reason) => setStatus(flowName, id, 'paused', reason ?? null),

    resume: (flowName, id) => setStatus(flowName, id, 'active', null),

    /** Queues a fire now; the worker records its occurrence, which the schedule's history shows. */
    async trigger(flowName, id): Promise<Occurrence> {
      const record = await store.get(flowName, id);
      const job = await triggers.fireNow(record);
      const scheduledFor = (job.data as ScheduledStartMarker).__scheduledFor!;
      return { scheduledFor, firedAt: scheduledFor, outcome: 'queued', manual: true };
    },

    async remove(flowName, id) {
      const record = await store.get(flowName, id);
      // The record goes first: a trigger left behind finds no schedule, fires nothing,
      // and is removed by the next reconcile.
      await store.remove(record);
      await triggers.uninstall(record);
      ctx.logger.info('schedule deleted', { flow: flowName, scheduleId: id });
    },
  };

  return {
    api,
    reconcile: reconciler.reconcile,
    checkTriggers: reconciler.check,
    fire: fires.fire,
    abandon: (job: Job, marker: ScheduledStartMarker) => fires.abandon(job, marker),
  };
}
