import type { EngineContext } from '../context.ts';
import { isRecurring } from './record.ts';
import { nextFires, parseDate, timingOf } from './spec.ts';
import type { ScheduleStore } from './store.ts';
import type { Triggers } from './triggers.ts';

/**
 * Brings BullMQ in line with the schedule store, run by each worker at start-up: an active
 * schedule without its trigger, or whose job scheduler lost its next fire's job (a worker
 * died between picking up a fire and adding the next), gets it back (unless it has nothing
 * left to fire), and a trigger whose schedule is gone or not active is removed. Every repair
 * is logged. Installing is idempotent, so workers starting together do no harm.
 */
export function createReconciler(ctx: EngineContext, deps: { store: ScheduleStore; triggers: Triggers }) {
  const { store, triggers } = deps;

  async function reconcileFlow(flow: string) {
    const records = await store.all(flow);
    const stats = await store.stats(
      flow,
      records.map((r) => r.id),
    );
    let repaired = 0;
    for (const record of records.filter((r) => r.status === 'active')) {
      const { installed, next } = await triggers.inspect(record);
      if (installed && (!isRecurring(record) || (await triggers.hasNextFire(record, next)))) continue;
      const fires = stats.get(record.id)?.fires ?? 0;
      const remaining = record.limit === null ? null : record.limit - fires;
      const window = {
        startDate: parseDate('startDate', record.startDate),
        endDate: parseDate('endDate', record.endDate),
      };
      const now = Date.now();
      const due = isRecurring(record)
        ? nextFires(timingOf(record.spec, record.anchor), window, record.anchor, now, 1, remaining).length > 0
        : !(await store.occurrences(flow, record.id, { limit: 1 })).items.some(
            (o) => o.scheduledFor === record.onceAt,
          );
      if (!due) continue;
      await triggers.install(record, remaining, now);
      repaired++;
      ctx.logger.warn('restored a missing schedule trigger', { flow, scheduleId: record.id });
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

  return {
    async reconcile(flows: string[]) {
      let repaired = 0;
      for (const flow of flows) repaired += await reconcileFlow(flow);
      ctx.logger.info('schedules reconciled', { flows, repaired });
      return repaired;
    },
  };
}
