import type { EngineContext } from '../context.ts';
import { isRecurring, type ScheduleRecord } from './record.ts';
import { nextFires, parseDate, timingOf } from './spec.ts';
import type { ScheduleStore } from './store.ts';
import type { Triggers } from './triggers.ts';

/**
 * Brings BullMQ in line with the schedule store, run by each worker at start-up (and, for
 * recurring schedules, checked again periodically while it runs): an active
 * schedule without its trigger, or whose job scheduler lost its next fire's job (a worker
 * died between picking up a fire and adding the next), gets it back (unless it has nothing
 * left to fire), and a trigger whose schedule is gone or not active is removed. Every repair
 * is logged. Installing is idempotent, so workers starting together do no harm.
 */
export function createReconciler(ctx: EngineContext, deps: { store: ScheduleStore; triggers: Triggers }) {
  const { store, triggers } = deps;

  /** Installs the trigger of an active schedule whose trigger is missing or broken, if it has fires left. */
  async function repair(record: ScheduleRecord, fires: number) {
    const remaining = record.limit === null ? null : record.limit - fires;
    const window = {
      startDate: parseDate('startDate', record.startDate),
      endDate: parseDate('endDate', record.endDate),
    };
    const now = Date.now();
    const due = isRecurring(record)
      ? nextFires(timingOf(record.spec, record.anchor), window, record.anchor, now, 1, remaining).length > 0
      : !(await store.occurrences(record.flowName, record.id, { limit: 1 })).items.some(
          (o) => o.scheduledFor === record.onceAt,
        );
    if (!due) return false;
    await triggers.install(record, remaining, now);
    ctx.logger.warn('restored a missing schedule trigger', { flow: record.flowName, scheduleId: record.id });
    return true;
  }

  /**
   * The schedules among `records` (active ones) whose trigger is missing or broken, with the next
   * fire their job scheduler names: job schedulers read in one ZMSCORE, their next fires' jobs in
   * batched EXISTS, one-time triggers one by one.
   */
  async function brokenTriggers(flow: string, records: ScheduleRecord[]) {
    const found = await triggers.inspectMany(flow, records);
    const pending = await triggers.pendingSchedulerFires(
      flow,
      records.flatMap((r) => {
        const next = found.get(r.id)?.next;
        return isRecurring(r) && next != null ? [{ id: r.id, next }] : [];
      }),
    );
    const working = (r: ScheduleRecord) => (isRecurring(r) ? pending.has(r.id) : found.get(r.id)?.installed);
    return records
      .filter((r) => !working(r))
      .map((record) => ({ record, next: found.get(record.id)?.next ?? null }));
  }

  async function reconcileFlow(flow: string) {
    const records = await store.all(flow);
    const broken = await brokenTriggers(
      flow,
      records.filter((r) => r.status === 'active'),
    );
    const stats = await store.stats(
      flow,
      broken.map(({ record }) => record.id),
    );
    let repaired = 0;
    for (const { record } of broken) {
      if (await repair(record, stats.get(record.id)?.fires ?? 0)) repaired++;
    }
    const active = new Set(records.filter((r) => r.status === 'active').map((r) => r.id));
    for (const id of await triggers.installedSchedulerIds(flow)) {
      if (active.has(id)) continue;
      await triggers.removeScheduler(flow, id);
      repaired++;
      ctx.logger.warn('removed a job scheduler with no active schedule', { flow, schedulerId: id });
    }
    for (const job of await triggers.pendingOnceJobs(flow)) {
      const scheduleId = (job.data as { __scheduleId?: string }).__scheduleId ?? '';
      if (active.has(scheduleId)) continue;
      await job.remove();
      repaired++;
      ctx.logger.warn('removed a one-time trigger with no active schedule', {
        flow,
        scheduleId,
        jobId: job.id,
      });
    }
    return repaired;
  }

  /** Recurring schedules found without a working trigger by the last check: id → the next fire seen. */
  const suspects = new Map<string, number | null>();

  /**
   * The check workers repeat while they run: a recurring schedule whose job scheduler is gone or
   * whose next fire has no job would never fire again. A fire being picked up looks like that for
   * a moment (BullMQ adds the next job as it takes the current one), so a schedule is repaired only
   * when the next check finds it in the same state.
   */
  async function checkFlow(flow: string) {
    const records = (await store.all(flow)).filter((r) => r.status === 'active' && isRecurring(r));
    const broken = await brokenTriggers(flow, records);
    const stats = await store.stats(
      flow,
      broken.map(({ record }) => record.id),
    );
    const brokenKeys = new Set(broken.map(({ record }) => `${flow} ${record.id}`));
    for (const record of records) {
      const key = `${flow} ${record.id}`;
      if (!brokenKeys.has(key)) suspects.delete(key);
    }
    let repaired = 0;
    for (const { record, next } of broken) {
      const key = `${flow} ${record.id}`;
      if (!suspects.has(key) || suspects.get(key) !== next) {
        suspects.set(key, next);
        continue;
      }
      suspects.delete(key);
      if (await repair(record, stats.get(record.id)?.fires ?? 0)) repaired++;
    }
    return repaired;
  }

  return {
    /** The periodic check (see checkFlow); returns how many schedules it repaired. */
    async check(flows: string[]) {
      let repaired = 0;
      for (const flow of flows) repaired += await checkFlow(flow);
      if (repaired > 0) ctx.logger.warn('schedules repaired by the periodic check', { flows, repaired });
      return repaired;
    },
    async reconcile(flows: string[]) {
      let repaired = 0;
      for (const flow of flows) repaired += await reconcileFlow(flow);
      ctx.logger.info('schedules reconciled', { flows, repaired });
      return repaired;
    },
  };
}
