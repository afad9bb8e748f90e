import type { Occurrence, OccurrenceOutcome } from '@flowdeck/types';
import type { Job } from 'bullmq';
import type { EngineContext } from '../context.ts';
import { FlowdeckError, NotFoundError } from '../errors.ts';
import type { ScheduledStartMarker } from '../jobs.ts';
import type { RunStore } from '../runs.ts';
import type { StartFlow } from '../start-flow.ts';
import { isRecurring, type ScheduleRecord } from './record.ts';
import type { ScheduleStore } from './store.ts';
import { schedulerFireTime, type Triggers } from './triggers.ts';

/**
 * What the worker does with a schedule's marker job, before any step handler could run:
 * decide the fire's outcome (started, skipped for overlap, missed past the catch-up
 * window), start the run through startFlow with the fire's job id as idempotency key, and
 * record one occurrence per planned time. A redelivered marker finds the same run and the
 * occurrence already recorded, so a fire never starts two runs.
 */
export function createFireHandler(
  ctx: EngineContext,
  deps: { store: ScheduleStore; triggers: Triggers; runs: RunStore; startFlow: StartFlow },
) {
  const { store, runs, startFlow } = deps;

  async function previousRunStillGoing(record: ScheduleRecord) {
    const lastRunId = (await store.stats(record.flowName, [record.id])).get(record.id)?.lastRunId;
    if (!lastRunId) return false;
    const status = await runs.status(record.flowName, lastRunId);
    return status === 'queued' || status === 'running';
  }

  async function decide(record: ScheduleRecord, scheduledFor: number, manual: boolean, now: number) {
    if (!manual && record.catchupWindowMs !== null && now - scheduledFor > record.catchupWindowMs) {
      return 'missed-catchup' as const;
    }
    if (record.overlap === 'skip' && (await previousRunStillGoing(record))) return 'skipped-overlap' as const;
    return 'started' as const;
  }

  /** After a scheduled fire: a one-time schedule, or one that used up its limit, is done. */
  async function completeIfFinished(record: ScheduleRecord, scheduledFor: number) {
    if (isRecurring(record) && record.limit === null) return;
    const fires = (await store.stats(record.flowName, [record.id])).get(record.id)?.fires ?? 0;
    const finished = isRecurring(record)
      ? record.limit !== null && fires >= record.limit
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

  return async function fire(job: Job, marker: ScheduledStartMarker) {
    const flow = marker.__flowName;
    const manual = marker.__manual === true;
    const scheduledFor = marker.__scheduledFor ?? schedulerFireTime(job.id) ?? job.timestamp;
    let record: ScheduleRecord;
    try {
      record = await store.get(flow, marker.__scheduleId);
    } catch (error) {
      if (error instanceof NotFoundError) return { dropped: 'schedule deleted' };
      throw error;
    }
    if (!manual && record.status !== 'active') return { dropped: `schedule ${record.status}` };

    const now = Date.now();
    let outcome: OccurrenceOutcome = await decide(record, scheduledFor, manual, now);
    let runId: string | undefined;
    let failure: string | undefined;
    if (outcome === 'started') {
      try {
        const started = await startFlow(flow, marker.__flowInput ?? record.input ?? {}, {
          trigger: { type: 'schedule', scheduleId: record.id, scheduledFor },
          idempotencyKey: `fire:${job.id}`,
        });
        runId = started.runId;
      } catch (error) {
        // Input the flow no longer accepts will not improve with retries: record and move on.
        if (!(error instanceof FlowdeckError) || error.status >= 500) throw error;
        ctx.logger.warn('scheduled fire could not start a run', {
          flow,
          scheduleId: record.id,
          error: error.message,
        });
        outcome = 'failed';
        failure = error.message;
      }
    }
    const occurrence: Occurrence = {
      scheduledFor,
      firedAt: now,
      outcome,
      ...(runId ? { runId } : {}),
      ...(manual ? { manual } : {}),
      ...(failure ? { error: failure } : {}),
    };
    const recorded = await store.recordOccurrence(flow, record.id, occurrence);
    if (!recorded)
      ctx.logger.info('fire already recorded; nothing more to do', {
        flow,
        scheduleId: record.id,
        scheduledFor,
      });
    if (!manual) await completeIfFinished(record, scheduledFor);
    ctx.logger.info('schedule fired', {
      flow,
      scheduleId: record.id,
      scheduledFor,
      outcome,
      runId,
      lagMs: now - scheduledFor,
    });
    return { outcome, runId };
  };
}
