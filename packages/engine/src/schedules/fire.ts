import type { OccurrenceOutcome } from '@flowdeck/types';
import type { Job } from 'bullmq';
import type { EngineContext } from '../context.ts';
import { FlowdeckError } from '../errors.ts';
import type { ScheduledStartMarker } from '../jobs.ts';
import type { RunStore } from '../runs.ts';
import { FireCheckRefused, type StartRun } from '../start-flow.ts';
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
 * A worker keeps the schedules its fires read. The next fire of a known schedule does not read it
 * again: its run's create checks in the same script that the schedule is unchanged and that
 * nothing above applies (see fireKnown), and only when that check fails is the schedule read and
 * the fire decided as described.
 */
/**
 * How long a "run now" fire's idempotency key is kept: it only has to outlive a redelivery of its
 * marker (a stalled or retried job comes back within minutes). A scheduled fire needs none: its
 * occurrence, written by the script that creates its run, stops a second run (see
 * RECORD_OCCURRENCE_LUA), and a key per fire was most of what a busy Flowdeck's memory grew with.
 */
const MANUAL_FIRE_KEY_TTL_MS = 3_600_000;

/**
 * Schedules kept as their fires last read them, for the next fire to check rather than read (see
 * fireKnown). The least recently read go first; schedules fire in turn, so a worker firing more
 * schedules than this would find none of them kept. A record takes about 600 bytes and its input.
 */
const KNOWN_KEPT = 50_000;

/** A new run's entry step, marked started, for the marker job's worker to run now. */
export interface HeldStep {
  runId: string;
  step: string;
  input: unknown;
}

interface Fire {
  scheduledFor: number;
  jobId: string | undefined;
  manual: boolean;
  input: unknown;
  holdEntryStep: boolean;
}

export function createFireHandler(
  ctx: EngineContext,
  deps: { store: ScheduleStore; triggers: Triggers; runs: RunStore; startRun: StartRun },
) {
  const { store, runs, startRun } = deps;
  const known = new Map<string, ScheduleRecord>();
  const knownKey = (flow: string, id: string) => `${flow}\n${id}`;

  function remember(record: ScheduleRecord) {
    const key = knownKey(record.flowName, record.id);
    known.delete(key);
    if (record.status !== 'active' || !isRecurring(record)) return;
    if (known.size >= KNOWN_KEPT) known.delete(known.keys().next().value!);
    known.set(key, record);
  }

  async function previousRunStillGoing(record: ScheduleRecord) {
    const lastRunId = (await store.stats(record.flowName, [record.id])).get(record.id)?.lastRunId;
    if (!lastRunId) return false;
    const status = await runs.status(record.flowName, lastRunId);
    return status === 'queued' || status === 'running';
  }

  const pastCatchup = (record: ScheduleRecord, scheduledFor: number, now: number) =>
    record.catchupWindowMs !== null && now - scheduledFor > record.catchupWindowMs;

  async function decide(record: ScheduleRecord, scheduledFor: number, manual: boolean, now: number) {
    if (!manual && pastCatchup(record, scheduledFor, now)) return 'missed-catchup' as const;
    if (record.overlap === 'skip' && (await previousRunStillGoing(record))) return 'skipped-overlap' as const;
    return 'started' as const;
  }

  /** Whether a recurring schedule plans nothing after this fire: its end date comes first. */
  const endsAfter = (record: ScheduleRecord, scheduledFor: number) =>
    record.endDate !== null &&
    nextFires(timingOf(record.spec, record.anchor), windowOf(record), record.anchor, scheduledFor, 1, null)
      .length === 0;

  /**
   * After a scheduled fire: a one-time schedule, one that used up its limit, or one whose end
   * date comes before its next fire is done, and its BullMQ trigger goes at once (BullMQ itself
   * plans one job past the end date).
   */
  async function completeIfFinished(record: ScheduleRecord, scheduledFor: number) {
    if (isRecurring(record) && record.limit === null && record.endDate === null) return;
    const fires = (await store.stats(record.flowName, [record.id])).get(record.id)?.fires ?? 0;
    const finished = isRecurring(record)
      ? (record.limit !== null && fires >= record.limit) || endsAfter(record, scheduledFor)
      : record.onceAt === scheduledFor;
    if (!finished) return;
    const now = Date.now();
    try {
      await store.write(
        { ...record, status: 'completed', version: record.version + 1, updatedAt: now },
        record.version,
      );
      if (isRecurring(record)) await deps.triggers.uninstall(record);
    } catch (error) {
      // An edit in between re-armed the schedule; it is no longer this fire's to finish.
      if (!(error instanceof FlowdeckError)) throw error;
    }
  }

  /** Planned times since the last recorded one that BullMQ will not deliver: oldest first. */
  async function undelivered(record: ScheduleRecord, stats: ScheduleStats, scheduledFor: number) {
    const after = Math.max(stats.lastPlanned ?? Number.NEGATIVE_INFINITY, record.updatedAt);
    const window = windowOf(record);
    const room =
      record.limit === null
        ? occurrencesKept(ctx)
        : Math.min(occurrencesKept(ctx), record.limit - stats.fires - 1);
    const timing = timingOf(record.spec, record.anchor);
    // Only times already due can have been missed.
    const before = Math.min(scheduledFor, Date.now());
    const candidates = plannedBetween(timing, window, record.anchor, after, before, room);
    const lost: number[] = [];
    for (const at of candidates) {
      // The job first: one that finished was recorded before it finished, so a missing job
      // with no occurrence after it was never going to be recorded by anyone else.
      if (await deps.triggers.mayDeliver(record.flowName, schedulerJobId(record.id, at))) continue;
      if (await store.hasOccurrence(record.flowName, record.id, at)) continue;
      lost.push(at);
    }
    return lost;
  }

  async function handle(record: ScheduleRecord, fire: Fire) {
    const flow = record.flowName;
    const { scheduledFor, manual } = fire;
    const now = Date.now();
    let outcome: OccurrenceOutcome = await decide(record, scheduledFor, manual, now);
    const base = { scheduledFor, firedAt: now, ...(manual ? { manual } : {}) };
    let runId: string | undefined;
    let held: HeldStep | undefined;
    let recorded: boolean;
    if (outcome === 'started') {
      try {
        ({ runId, held, recorded } = await start(record, fire, now));
      } catch (error) {
        // Input the flow no longer accepts will not improve with retries: record and move on.
        if (!(error instanceof FlowdeckError) || error.status >= 500) throw error;
        ctx.logger.warn('scheduled fire could not start a run', {
          flow,
          scheduleId: record.id,
          error: error.message,
        });
        outcome = 'failed';
        recorded = await store.recordOccurrence(flow, record.id, { ...base, outcome, error: error.message });
      }
    } else {
      recorded = await store.recordOccurrence(flow, record.id, { ...base, outcome });
    }
    return fired(record, { scheduledFor, now, outcome, runId, held, recorded });
  }

  /** Starts the fire's run; the occurrence is written by the script that creates it. */
  async function start(record: ScheduleRecord, fire: Fire, now: number, check?: FireCheck) {
    const { scheduledFor, manual } = fire;
    const input = fire.input ?? record.input ?? {};
    const occurrence = {
      scheduledFor,
      firedAt: now,
      ...(manual ? { manual } : {}),
      outcome: 'started' as const,
    };
    const started = await startRun(record.flowName, input, {
      trigger: { type: 'schedule', scheduleId: record.id, scheduledFor },
      idempotencyKey: manual ? `fire:${fire.jobId}` : undefined,
      idempotencyTtlMs: Math.min(MANUAL_FIRE_KEY_TTL_MS, ctx.retention.maxAgeMs),
      holdEntryStep: fire.holdEntryStep,
      occurrence: store.occurrenceWrite(record.flowName, record.id, occurrence),
      fireCheck: check,
    });
    const { recorded, heldStep } = started;
    // No run id: this fire was recorded before without a run.
    const runId = started.runId || undefined;
    const held: HeldStep | undefined = runId && heldStep ? { runId, step: heldStep, input } : undefined;
    return { runId, recorded, held };
  }

  /**
   * A scheduled fire of a schedule this worker has read before: its create carries a check that
   * the schedule is unchanged, that no earlier planned time is unrecorded, and (skipping overlaps)
   * that the last run has ended, instead of a read of the schedule first. Undefined when the check
   * fails or the run could not start: the fire then reads its schedule and decides as usual.
   */
  async function fireKnown(record: ScheduleRecord, fire: Fire) {
    const now = Date.now();
    if (pastCatchup(record, fire.scheduledFor, now)) return undefined;
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
      const started = await start(record, fire, now, store.fireCheck(record, mustBeRecorded));
      return fired(record, { scheduledFor: fire.scheduledFor, now, outcome: 'started', ...started });
    } catch (error) {
      if (error instanceof FireCheckRefused || (error instanceof FlowdeckError && error.status < 500)) {
        return undefined;
      }
      throw error;
    }
  }

  /** Logs a handled fire and gives the marker job's result. */
  function fired(
    record: ScheduleRecord,
    fire: {
      scheduledFor: number;
      now: number;
      outcome: OccurrenceOutcome;
      recorded: boolean;
      runId?: string;
      held?: HeldStep;
    },
  ) {
    const { scheduledFor, outcome, runId } = fire;
    const context = { flow: record.flowName, scheduleId: record.id, scheduledFor };
    if (!fire.recorded) ctx.logger.info('fire already recorded; nothing more to do', context);
    ctx.logger.info('schedule fired', { ...context, outcome, runId, lagMs: fire.now - scheduledFor });
    return { outcome, runId, held: fire.held };
  }

  /**
   * After a pause (`active` is the schedule as it was before): planned times already due that no
   * job will deliver any more are recorded `skipped-paused`, so every planned fire keeps exactly one
   * occurrence. Jobs that may still deliver are recorded by their worker (see fire).
   */
  async function settlePause(active: ScheduleRecord, pausedAt: number) {
    if (!isRecurring(active)) return;
    const stats = (await store.stats(active.flowName, [active.id])).get(active.id)!;
    for (const at of await undelivered(active, stats, pausedAt + 1)) {
      await store.recordOccurrence(active.flowName, active.id, skippedPaused(at));
    }
  }

  const skippedPaused = (scheduledFor: number) => ({
    scheduledFor,
    firedAt: Date.now(),
    outcome: 'skipped-paused' as const,
  });

  /**
   * A scheduled fire of a schedule that is not active: one planned before the pause took effect is
   * recorded `skipped-paused` (it was due; dropping it would leave a planned fire without an
   * occurrence); anything else was never planned and is dropped.
   */
  async function notActive(record: ScheduleRecord, scheduledFor: number) {
    if (record.status !== 'paused' || scheduledFor > record.updatedAt) {
      return { dropped: `schedule ${record.status}` };
    }
    const recorded = await store.recordOccurrence(record.flowName, record.id, skippedPaused(scheduledFor));
    return fired(record, { scheduledFor, now: Date.now(), outcome: 'skipped-paused', recorded });
  }

  /**
   * A scheduled fire outside the schedule's start and end dates starts nothing (BullMQ plans one
   * job past the end date); the one past the end finishes the schedule if that is not done yet.
   */
  async function outsideWindow(record: ScheduleRecord, scheduledFor: number) {
    const { startDate, endDate } = windowOf(record);
    if (endDate !== null && scheduledFor > endDate) {
      await completeIfFinished(record, scheduledFor);
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
  async function abandon(job: Job, marker: ScheduledStartMarker) {
    const scheduledFor = marker.__scheduledFor ?? schedulerFireTime(job.id) ?? job.timestamp;
    const error = `the worker handling this fire stopped more than once (${job.deferredFailure || job.failedReason})`;
    await store.recordOccurrence(marker.__flowName, marker.__scheduleId, {
      scheduledFor,
      firedAt: Date.now(),
      outcome: 'failed',
      error,
      ...(marker.__manual ? { manual: true } : {}),
    });
  }

  /**
   * `holdEntryStep`: the caller (the worker hosting the flow) runs the new run's first entry step
   * in this marker job, after the fire is recorded; the result's `held` names it.
   */
  async function fire(job: Job, marker: ScheduledStartMarker, options: { holdEntryStep: boolean }) {
    const flow = marker.__flowName;
    const manual = marker.__manual === true;
    const scheduledFor = marker.__scheduledFor ?? schedulerFireTime(job.id) ?? job.timestamp;
    const thisFire: Fire = {
      scheduledFor,
      jobId: job.id,
      manual,
      input: marker.__flowInput,
      holdEntryStep: options.holdEntryStep,
    };
    const last = manual ? undefined : known.get(knownKey(flow, marker.__scheduleId));
    // A fire outside the window of the schedule as last read is decided on a fresh read.
    if (last && inWindow(last, scheduledFor)) {
      const quick = await fireKnown(last, thisFire);
      if (quick) {
        await completeIfFinished(last, scheduledFor);
        return quick;
      }
    }
    const found = await store.getWithStats(flow, marker.__scheduleId);
    if (!found) {
      known.delete(knownKey(flow, marker.__scheduleId));
      return { dropped: 'schedule deleted' };
    }
    const { record, stats } = found;
    remember(record);
    if (!manual && record.status !== 'active') return notActive(record, scheduledFor);

    if (!manual && isRecurring(record)) {
      const lost = await undelivered(record, stats, scheduledFor);
      if (lost.length > 0) {
        ctx.logger.warn('handling planned fires that were never delivered', {
          flow,
          scheduleId: record.id,
          fires: lost.length,
          from: lost[0],
          to: lost.at(-1),
        });
      }
      for (const at of lost) {
        await handle(record, {
          scheduledFor: at,
          jobId: schedulerJobId(record.id, at),
          manual,
          input: undefined,
          holdEntryStep: false,
        });
      }
      const outside = await outsideWindow(record, scheduledFor);
      if (outside) return outside;
    }
    const result = await handle(record, thisFire);
    if (!manual) await completeIfFinished(record, scheduledFor);
    return result;
  }

  return { fire, abandon, settlePause };
}

function inWindow(record: ScheduleRecord, scheduledFor: number) {
  const { startDate, endDate } = windowOf(record);
  return (startDate === null || scheduledFor >= startDate) && (endDate === null || scheduledFor <= endDate);
}
