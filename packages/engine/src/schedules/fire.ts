import type { OccurrenceOutcome } from '@flowdeck/types';
import type { Job } from 'bullmq';
import type { EngineContext } from '../context.ts';
import { FlowdeckError } from '../errors.ts';
import type { ScheduledStartMarker } from '../jobs.ts';
import { extendWrite, type RunStore } from '../runs.ts';
import { FireCheckRefused, type StartRun } from '../start-flow.ts';
import type { Backlogs } from './backlog.ts';
import type { KnownSchedules } from './known.ts';
import { isRecurring, type ScheduleRecord, type ScheduleStats } from './record.ts';
import { nextFires, parseDate, plannedBefore, plannedBetween, timingOf, windowOf } from './spec.ts';
import { type FireCheck, occurrencesKept, type ScheduleStore } from './store.ts';
import { schedulerFireTime, schedulerJobId, type Triggers } from './triggers.ts';

/**
 * What the worker does with a schedule's marker job, before any step handler could run:
 * decide the fire's outcome (started, skipped for overlap, missed past the catch-up
 * window), start the run through startFlow, and record one occurrence per planned time, in the
 * script that creates the run. A redelivered marker finds its occurrence already recorded and the
 * run it names, so a fire never starts two runs.
 *
 * BullMQ plans a job scheduler's next fire from the moment the current one is picked up, so
 * planned times that pass while no worker is up (or whose job failed for good) are never
 * delivered. Each scheduled fire therefore first looks for planned times since the last one
 * it recorded that have neither an occurrence nor a job that may still deliver them, and
 * handles those too, oldest first, as late fires under the same catch-up and overlap
 * policies. A fire handled both ways still starts one run: the second finds the occurrence.
 *
 * A worker keeps the schedules its fires read (see known.ts). The next fire of a known schedule
 * does not read it again: its run's create checks in the same script that the schedule is
 * unchanged and that nothing above applies (see fireKnown), and only when that check fails is the
 * schedule read and the fire decided as described (see fireRead).
 *
 * The path, from the marker job down: fire → fireKnown, or fireRead → notActive | catchUp and
 * outsideWindow → handle (decide, then start) → completeIfFinished. Each function takes the parts
 * of FireDeps it uses, so each can be run alone.
 */

/**
 * How long a "run now" fire's idempotency key is kept: it only has to outlive a redelivery of its
 * marker (a stalled or retried job comes back within minutes). A scheduled fire needs none: its
 * occurrence, written by the script that creates its run, stops a second run (see
 * lua/includes/occurrences.lua), and a key per fire was most of what a busy Flowdeck's memory grew with.
 */
const MANUAL_FIRE_KEY_TTL_MS = 3_600_000;

/** Everything the fire path uses: one set per engine, shared by every fire of its worker. */
export interface FireDeps {
  ctx: EngineContext;
  store: ScheduleStore;
  triggers: Triggers;
  runs: RunStore;
  startRun: StartRun;
  known: KnownSchedules;
  backlogs: Backlogs;
}

/** A new run's entry step, marked started, for the marker job's worker to run now. */
export interface HeldStep {
  runId: string;
  step: string;
  input: unknown;
}

/** One fire to handle: the marker job's, or a planned time BullMQ never delivered. */
export interface Fire {
  scheduledFor: number;
  jobId: string | undefined;
  manual: boolean;
  input: unknown;
  holdEntryStep: boolean;
}

/** A handled fire, as the marker job's result. */
export interface Fired {
  outcome: OccurrenceOutcome;
  runId: string | undefined;
  held: HeldStep | undefined;
}

/** A fire that was never planned (or whose schedule is gone): nothing is recorded. */
export interface Dropped {
  dropped: string;
}

export type FireResult = Fired | Dropped;

/** The planned time of a marker's fire: a job scheduler's is the number its job id ends with. */
const scheduledForOf = (job: Job, marker: ScheduledStartMarker) =>
  marker.__scheduledFor ?? schedulerFireTime(job.id) ?? job.timestamp;

/** Whether a planned fire lies inside the schedule's start and end dates. */
export function inWindow(record: ScheduleRecord, scheduledFor: number) {
  const { startDate, endDate } = windowOf(record);
  return (startDate === null || scheduledFor >= startDate) && (endDate === null || scheduledFor <= endDate);
}

/** Whether a scheduled fire picked up at `now` is later than the schedule's catch-up window allows. */
export const pastCatchup = (record: ScheduleRecord, scheduledFor: number, now: number) =>
  record.catchupWindowMs !== null && now - scheduledFor > record.catchupWindowMs;

/**
 * Whether a scheduled fire comes too late to be worth a run: its schedule's next planned fire is
 * already due, and the flow's queue has been backlogged since before this fire was planned, so
 * the workers are behind (not back from an outage, whose fires are caught up). Such a fire is
 * recorded `missed-overload` and the newer fire runs: running every late fire would only make
 * the next ones later.
 */
export function overloaded(record: ScheduleRecord, scheduledFor: number, now: number, backlogSince?: number) {
  if (backlogSince === undefined || backlogSince > scheduledFor || !isRecurring(record)) return false;
  // No schedule fires more often than once a second: a fire less late than that is never behind.
  if (now - scheduledFor < 1000) return false;
  const timing = timingOf(record.spec, record.anchor);
  const [next] = nextFires(timing, windowOf(record), record.anchor, scheduledFor, 1, null);
  return next !== undefined && next <= now;
}

async function previousRunStillGoing(
  { store, runs }: Pick<FireDeps, 'store' | 'runs'>,
  record: ScheduleRecord,
) {
  const lastRunId = (await store.stats(record.flowName, [record.id])).get(record.id)?.lastRunId;
  if (!lastRunId) return false;
  const status = await runs.status(record.flowName, lastRunId);
  return status === 'queued' || status === 'running';
}

/**
 * What a fire will come to before anything is written: too late for the catch-up window or behind
 * a newer fire while the workers are overloaded (never so for "run now"), skipped while the
 * previous run goes on (`overlap: 'skip'`), or started.
 */
export async function decide(
  deps: Pick<FireDeps, 'store' | 'runs' | 'backlogs'>,
  record: ScheduleRecord,
  scheduledFor: number,
  manual: boolean,
  now: number,
) {
  if (!manual && pastCatchup(record, scheduledFor, now)) return 'missed-catchup' as const;
  if (!manual && overloaded(record, scheduledFor, now, deps.backlogs.since(record.flowName))) {
    return 'missed-overload' as const;
  }
  if (record.overlap === 'skip' && (await previousRunStillGoing(deps, record)))
    return 'skipped-overlap' as const;
  return 'started' as const;
}

/** Whether a recurring schedule plans nothing after this fire: its end date comes first. */
export const endsAfter = (record: ScheduleRecord, scheduledFor: number) =>
  record.endDate !== null &&
  nextFires(timingOf(record.spec, record.anchor), windowOf(record), record.anchor, scheduledFor, 1, null)
    .length === 0;

/** Whether the schedule is done after the scheduled fire at `scheduledFor`, with `fires` handled. */
function isFinished(record: ScheduleRecord, fires: number, scheduledFor: number) {
  return isRecurring(record)
    ? (record.limit !== null && fires >= record.limit) || endsAfter(record, scheduledFor)
    : record.onceAt === scheduledFor;
}

/**
 * After a scheduled fire: a one-time schedule, one that used up its limit, or one whose end
 * date comes before its next fire is done, and its BullMQ trigger goes at once (BullMQ itself
 * plans one job past the end date).
 */
export async function completeIfFinished(
  { store, triggers }: Pick<FireDeps, 'store' | 'triggers'>,
  record: ScheduleRecord,
  scheduledFor: number,
) {
  if (isRecurring(record) && record.limit === null && record.endDate === null) return;
  const fires = (await store.stats(record.flowName, [record.id])).get(record.id)?.fires ?? 0;
  if (!isFinished(record, fires, scheduledFor)) return;
  const now = Date.now();
  try {
    await store.write(
      { ...record, status: 'completed', version: record.version + 1, updatedAt: now },
      record.version,
    );
    if (isRecurring(record)) await triggers.uninstall(record);
  } catch (error) {
    // An edit in between re-armed the schedule; it is no longer this fire's to finish.
    if (!(error instanceof FlowdeckError)) throw error;
  }
}

/**
 * The planned times that may have been missed before a fire at `scheduledFor`, oldest first: those
 * after the last one recorded (never before the schedule was created, resumed or edited) that are
 * already due at `now`, at most as many as the history keeps (`kept`) and the limit leaves.
 */
export function dueSince(
  record: ScheduleRecord,
  stats: ScheduleStats,
  scheduledFor: number,
  now: number,
  kept: number,
) {
  const after = Math.max(stats.lastPlanned ?? Number.NEGATIVE_INFINITY, record.updatedAt);
  const room = record.limit === null ? kept : Math.min(kept, record.limit - stats.fires - 1);
  const timing = timingOf(record.spec, record.anchor);
  // Only times already due can have been missed.
  const before = Math.min(scheduledFor, now);
  return plannedBetween(timing, windowOf(record), record.anchor, after, before, room);
}

/** Planned times since the last recorded one that BullMQ will not deliver: oldest first. */
export async function undelivered(
  { ctx, store, triggers }: Pick<FireDeps, 'ctx' | 'store' | 'triggers'>,
  record: ScheduleRecord,
  stats: ScheduleStats,
  scheduledFor: number,
) {
  const lost: number[] = [];
  for (const at of dueSince(record, stats, scheduledFor, Date.now(), occurrencesKept(ctx))) {
    // The job first: one that finished was recorded before it finished, so a missing job
    // with no occurrence after it was never going to be recorded by anyone else.
    if (await triggers.mayDeliver(record.flowName, schedulerJobId(record.id, at))) continue;
    if (await store.hasOccurrence(record.flowName, record.id, at)) continue;
    lost.push(at);
  }
  return lost;
}

/** Logs a handled fire and gives the marker job's result. */
function fired(
  ctx: EngineContext,
  record: ScheduleRecord,
  fire: {
    scheduledFor: number;
    now: number;
    outcome: OccurrenceOutcome;
    recorded: boolean;
    runId?: string;
    held?: HeldStep;
  },
): Fired {
  const { scheduledFor, outcome, runId } = fire;
  const context = { flow: record.flowName, scheduleId: record.id, scheduledFor };
  if (!fire.recorded) ctx.logger.info('fire already recorded; nothing more to do', context);
  ctx.logger.info('schedule fired', { ...context, outcome, runId, lagMs: fire.now - scheduledFor });
  return { outcome, runId, held: fire.held };
}

/** The fire's occurrence without its outcome, as recorded at `now`. */
const occurrenceOf = ({ scheduledFor, manual }: Fire, now: number) => ({
  scheduledFor,
  firedAt: now,
  ...(manual ? { manual } : {}),
});

/** Starts the fire's run; the occurrence is written by the script that creates it. */
export async function start(
  { ctx, store, startRun }: Pick<FireDeps, 'ctx' | 'store' | 'startRun'>,
  record: ScheduleRecord,
  fire: Fire,
  now: number,
  check?: FireCheck,
) {
  const { scheduledFor, manual } = fire;
  const input = fire.input ?? record.input ?? {};
  const occurrence = { ...occurrenceOf(fire, now), outcome: 'started' as const };
  const write = store.occurrenceWrite(record.flowName, record.id, occurrence);
  const started = await startRun(record.flowName, input, {
    trigger: { type: 'schedule', scheduleId: record.id, scheduledFor },
    idempotencyKey: manual ? `fire:${fire.jobId}` : undefined,
    idempotencyTtlMs: Math.min(MANUAL_FIRE_KEY_TTL_MS, ctx.retention.maxAgeMs),
    holdEntryStep: fire.holdEntryStep,
    createWith: check ? extendWrite(write, check) : write,
  });
  const { recorded, heldStep } = started;
  // No run id: this fire was recorded before without a run.
  const runId = started.runId || undefined;
  const held: HeldStep | undefined = runId && heldStep ? { runId, step: heldStep, input } : undefined;
  return { runId, recorded, held };
}

/**
 * start(), except that a run the flow refuses (input it no longer accepts will not improve with
 * retries) is recorded as a `failed` fire rather than thrown.
 */
async function startOrRecordFailure(
  deps: Pick<FireDeps, 'ctx' | 'store' | 'startRun'>,
  record: ScheduleRecord,
  fire: Fire,
  now: number,
) {
  try {
    return { outcome: 'started' as OccurrenceOutcome, ...(await start(deps, record, fire, now)) };
  } catch (error) {
    if (!(error instanceof FlowdeckError) || error.status >= 500) throw error;
    deps.ctx.logger.warn('scheduled fire could not start a run', {
      flow: record.flowName,
      scheduleId: record.id,
      error: error.message,
    });
    const failure = { ...occurrenceOf(fire, now), outcome: 'failed' as const, error: error.message };
    return {
      outcome: failure.outcome,
      recorded: await deps.store.recordOccurrence(record.flowName, record.id, failure),
    };
  }
}

/** Decides a fire of a schedule just read and records it: with its run when one starts. */
export async function handle(
  deps: Pick<FireDeps, 'ctx' | 'store' | 'runs' | 'startRun' | 'backlogs'>,
  record: ScheduleRecord,
  fire: Fire,
) {
  const now = Date.now();
  const outcome = await decide(deps, record, fire.scheduledFor, fire.manual, now);
  const result =
    outcome === 'started'
      ? await startOrRecordFailure(deps, record, fire, now)
      : {
          outcome,
          recorded: await deps.store.recordOccurrence(record.flowName, record.id, {
            ...occurrenceOf(fire, now),
            outcome,
          }),
        };
  return fired(deps.ctx, record, { scheduledFor: fire.scheduledFor, now, ...result });
}

/**
 * A scheduled fire of a schedule this worker has read before: its create carries a check that
 * the schedule is unchanged, that no earlier planned time is unrecorded, and (skipping overlaps)
 * that the last run has ended, instead of a read of the schedule first. Undefined when the check
 * fails or the run could not start: the fire then reads its schedule and decides as usual.
 */
export async function fireKnown(
  deps: Pick<FireDeps, 'ctx' | 'store' | 'startRun' | 'backlogs'>,
  record: ScheduleRecord,
  fire: Fire,
): Promise<Fired | undefined> {
  const now = Date.now();
  if (pastCatchup(record, fire.scheduledFor, now)) return undefined;
  if (overloaded(record, fire.scheduledFor, now, deps.backlogs.since(record.flowName))) return undefined;
  const window = { startDate: parseDate('startDate', record.startDate), endDate: null };
  const before = plannedBefore(
    timingOf(record.spec, record.anchor),
    window,
    record.anchor,
    fire.scheduledFor,
  );
  // A planned time before the last edit was never this schedule's to fire.
  const mustBeRecorded = before !== null && before > record.updatedAt ? before : null;
  try {
    const started = await start(deps, record, fire, now, deps.store.fireCheck(record, mustBeRecorded));
    return fired(deps.ctx, record, { scheduledFor: fire.scheduledFor, now, outcome: 'started', ...started });
  } catch (error) {
    if (error instanceof FireCheckRefused || (error instanceof FlowdeckError && error.status < 500)) {
      return undefined;
    }
    throw error;
  }
}

const skippedPaused = (scheduledFor: number) => ({
  scheduledFor,
  firedAt: Date.now(),
  outcome: 'skipped-paused' as const,
});

/**
 * After a pause (`active` is the schedule as it was before): planned times already due that no
 * job will deliver any more are recorded `skipped-paused`, so every planned fire keeps exactly one
 * occurrence. Jobs that may still deliver are recorded by their worker (see notActive).
 */
export async function settlePause(
  deps: Pick<FireDeps, 'ctx' | 'store' | 'triggers'>,
  active: ScheduleRecord,
  pausedAt: number,
) {
  if (!isRecurring(active)) return;
  const stats = (await deps.store.stats(active.flowName, [active.id])).get(active.id)!;
  for (const at of await undelivered(deps, active, stats, pausedAt + 1)) {
    await deps.store.recordOccurrence(active.flowName, active.id, skippedPaused(at));
  }
}

/**
 * A scheduled fire of a schedule that is not active: one planned before the pause took effect is
 * recorded `skipped-paused` (it was due; dropping it would leave a planned fire without an
 * occurrence); anything else was never planned and is dropped.
 */
export async function notActive(
  { ctx, store }: Pick<FireDeps, 'ctx' | 'store'>,
  record: ScheduleRecord,
  scheduledFor: number,
): Promise<FireResult> {
  if (record.status !== 'paused' || scheduledFor > record.updatedAt) {
    return { dropped: `schedule ${record.status}` };
  }
  const recorded = await store.recordOccurrence(record.flowName, record.id, skippedPaused(scheduledFor));
  return fired(ctx, record, { scheduledFor, now: Date.now(), outcome: 'skipped-paused', recorded });
}

/**
 * A scheduled fire outside the schedule's start and end dates starts nothing (BullMQ plans one
 * job past the end date); the one past the end finishes the schedule if that is not done yet.
 * Null when the fire is inside them.
 */
export async function outsideWindow(
  deps: Pick<FireDeps, 'store' | 'triggers'>,
  record: ScheduleRecord,
  scheduledFor: number,
): Promise<Dropped | null> {
  const { startDate, endDate } = windowOf(record);
  if (endDate !== null && scheduledFor > endDate) {
    await completeIfFinished(deps, record, scheduledFor);
    return { dropped: 'after the schedule ends' };
  }
  if (startDate !== null && scheduledFor < startDate) return { dropped: 'before the schedule starts' };
  return null;
}

/**
 * A marker job BullMQ failed without running it (its worker died mid-fire more than once):
 * the fire is recorded as failed, so it is accounted for. Job scheduler fires are exempt
 * from this in BullMQ; it concerns one-time and "run now" fires.
 */
export async function abandon({ store }: Pick<FireDeps, 'store'>, job: Job, marker: ScheduledStartMarker) {
  const error = `the worker handling this fire stopped more than once (${job.deferredFailure || job.failedReason})`;
  await store.recordOccurrence(marker.__flowName, marker.__scheduleId, {
    scheduledFor: scheduledForOf(job, marker),
    firedAt: Date.now(),
    outcome: 'failed',
    error,
    ...(marker.__manual ? { manual: true } : {}),
  });
}

/** Handles, oldest first, the planned times before this fire that BullMQ never delivered. */
async function catchUp(deps: FireDeps, record: ScheduleRecord, stats: ScheduleStats, scheduledFor: number) {
  const lost = await undelivered(deps, record, stats, scheduledFor);
  if (lost.length > 0) {
    deps.ctx.logger.warn('handling planned fires that were never delivered', {
      flow: record.flowName,
      scheduleId: record.id,
      fires: lost.length,
      from: lost[0],
      to: lost.at(-1),
    });
  }
  for (const at of lost) {
    const late = { scheduledFor: at, jobId: schedulerJobId(record.id, at), manual: false, input: undefined };
    await handle(deps, record, { ...late, holdEntryStep: false });
  }
}

/** A fire decided on a fresh read of its schedule, which the worker then keeps (see known.ts). */
async function fireRead(deps: FireDeps, flow: string, scheduleId: string, fire: Fire): Promise<FireResult> {
  const found = await deps.store.getWithStats(flow, scheduleId);
  if (!found) {
    deps.known.forget(flow, scheduleId);
    return { dropped: 'schedule deleted' };
  }
  const { record, stats } = found;
  deps.known.remember(record);
  const { scheduledFor, manual } = fire;
  if (!manual && record.status !== 'active') return notActive(deps, record, scheduledFor);
  if (!manual && isRecurring(record)) {
    await catchUp(deps, record, stats, scheduledFor);
    const outside = await outsideWindow(deps, record, scheduledFor);
    if (outside) return outside;
  }
  const result = await handle(deps, record, fire);
  if (!manual) await completeIfFinished(deps, record, scheduledFor);
  return result;
}

/**
 * Handles a marker job. `holdEntryStep`: the caller (the worker hosting the flow) runs the new
 * run's first entry step in this marker job, after the fire is recorded; the result's `held`
 * names it.
 */
export async function fire(
  deps: FireDeps,
  job: Job,
  marker: ScheduledStartMarker,
  options: { holdEntryStep: boolean },
): Promise<FireResult> {
  const thisFire: Fire = {
    scheduledFor: scheduledForOf(job, marker),
    jobId: job.id,
    manual: marker.__manual === true,
    input: marker.__flowInput,
    holdEntryStep: options.holdEntryStep,
  };
  const last = thisFire.manual ? undefined : deps.known.get(marker.__flowName, marker.__scheduleId);
  // A fire outside the window of the schedule as last read is decided on a fresh read.
  if (last && inWindow(last, thisFire.scheduledFor)) {
    const quick = await fireKnown(deps, last, thisFire);
    if (quick) {
      await completeIfFinished(deps, last, thisFire.scheduledFor);
      return quick;
    }
  }
  return fireRead(deps, marker.__flowName, marker.__scheduleId, thisFire);
}
