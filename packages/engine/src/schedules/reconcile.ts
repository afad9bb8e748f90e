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

export interface ReconcileDeps {
  ctx: EngineContext;
  store: ScheduleStore;
  triggers: Triggers;
}

/** Recurring schedules found without a working trigger by the last check: `<flow> <id>` → the next fire seen. */
export type Suspects = Map<string, number | null>;

/** Whether a schedule whose trigger is missing still has a fire to come. */
async function hasFireLeft(
  { store }: Pick<ReconcileDeps, 'store'>,
  record: ScheduleRecord,
  remaining: number | null,
  now: number,
) {
  if (!isRecurring(record)) {
    const last = await store.occurrences(record.flowName, record.id, { limit: 1 });
    return !last.items.some((o) => o.scheduledFor === record.onceAt);
  }
  const window = {
    startDate: parseDate('startDate', record.startDate),
    endDate: parseDate('endDate', record.endDate),
  };
  return nextFires(timingOf(record.spec, record.anchor), window, record.anchor, now, 1, remaining).length > 0;
}

/** Installs the trigger of an active schedule whose trigger is missing or broken, if it has fires left. */
async function repair(deps: ReconcileDeps, record: ScheduleRecord, fires: number) {
  const remaining = record.limit === null ? null : record.limit - fires;
  const now = Date.now();
  if (!(await hasFireLeft(deps, record, remaining, now))) return false;
  await deps.triggers.install(record, remaining, now);
  deps.ctx.logger.warn('restored a missing schedule trigger', {
    flow: record.flowName,
    scheduleId: record.id,
  });
  return true;
}

/**
 * The schedules among `records` (active ones) whose trigger is missing or broken, with the next
 * fire their job scheduler names: job schedulers read in one ZMSCORE, their next fires' jobs in
 * batched EXISTS, one-time triggers one by one.
 */
async function brokenTriggers(
  { triggers }: Pick<ReconcileDeps, 'triggers'>,
  flow: string,
  records: ScheduleRecord[],
) {
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

/** Repairs each of `records` that has fires left; returns how many it repaired. */
async function repairAll(deps: ReconcileDeps, flow: string, records: ScheduleRecord[]) {
  const stats = await deps.store.stats(
    flow,
    records.map((record) => record.id),
  );
  let repaired = 0;
  for (const record of records) {
    if (await repair(deps, record, stats.get(record.id)?.fires ?? 0)) repaired++;
  }
  return repaired;
}

/** Removes the flow's triggers whose schedule is not among `active`; returns how many. */
async function removeOrphans({ ctx, triggers }: ReconcileDeps, flow: string, active: Set<string>) {
  let removed = 0;
  for (const id of await triggers.installedSchedulerIds(flow)) {
    if (active.has(id)) continue;
    await triggers.removeScheduler(flow, id);
    removed++;
    ctx.logger.warn('removed a job scheduler with no active schedule', { flow, schedulerId: id });
  }
  for (const job of await triggers.pendingOnceJobs(flow)) {
    const scheduleId = (job.data as { __scheduleId?: string }).__scheduleId ?? '';
    if (active.has(scheduleId)) continue;
    await job.remove();
    removed++;
    ctx.logger.warn('removed a one-time trigger with no active schedule', {
      flow,
      scheduleId,
      jobId: job.id,
    });
  }
  return removed;
}

async function reconcileFlow(deps: ReconcileDeps, flow: string) {
  const active = (await deps.store.all(flow)).filter((r) => r.status === 'active');
  const broken = await brokenTriggers(deps, flow, active);
  const repaired = await repairAll(
    deps,
    flow,
    broken.map(({ record }) => record),
  );
  return repaired + (await removeOrphans(deps, flow, new Set(active.map((r) => r.id))));
}

/**
 * The check workers repeat while they run: a recurring schedule whose job scheduler is gone or
 * whose next fire has no job would never fire again. A fire being picked up looks like that for
 * a moment (BullMQ adds the next job as it takes the current one), so a schedule is repaired only
 * when the next check finds it in the same state.
 */
async function checkFlow(deps: ReconcileDeps, suspects: Suspects, flow: string) {
  const records = (await deps.store.all(flow)).filter((r) => r.status === 'active' && isRecurring(r));
  const broken = await brokenTriggers(deps, flow, records);
  const brokenKeys = new Set(broken.map(({ record }) => `${flow} ${record.id}`));
  for (const record of records) {
    const key = `${flow} ${record.id}`;
    if (!brokenKeys.has(key)) suspects.delete(key);
  }
  const confirmed: ScheduleRecord[] = [];
  for (const { record, next } of broken) {
    const key = `${flow} ${record.id}`;
    if (!suspects.has(key) || suspects.get(key) !== next) {
      suspects.set(key, next);
      continue;
    }
    suspects.delete(key);
    confirmed.push(record);
  }
  return repairAll(deps, flow, confirmed);
}

/** The start-up reconcile of the given flows; returns how many triggers it repaired or removed. */
export async function reconcile(deps: ReconcileDeps, flows: string[]) {
  let repaired = 0;
  for (const flow of flows) repaired += await reconcileFlow(deps, flow);
  deps.ctx.logger.info('schedules reconciled', { flows, repaired });
  return repaired;
}

/** The periodic check (see checkFlow); returns how many schedules it repaired. */
export async function checkTriggers(deps: ReconcileDeps, suspects: Suspects, flows: string[]) {
  let repaired = 0;
  for (const flow of flows) repaired += await checkFlow(deps, suspects, flow);
  if (repaired > 0) deps.ctx.logger.warn('schedules repaired by the periodic check', { flows, repaired });
  return repaired;
}
