import type { Job } from 'bullmq';
import type { EngineContext } from '../context.ts';
import { MARKER_JOB_NAME, type ScheduledStartMarker } from '../jobs.ts';
import type { Queues } from '../queues.ts';
import { isRecurring, type ScheduleRecord } from './record.ts';
import { nextEveryFire, windowOf } from './spec.ts';

/**
 * A schedule's trigger in BullMQ: a job scheduler for cron and interval schedules (its id
 * is the schedule id), a delayed job for one-time ones. Triggers carry the marker, so a
 * fire reaches the worker as a scheduled start, never as a step.
 */

const MARKER_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
};

export const onceJobId = (record: Pick<ScheduleRecord, 'id' | 'onceAt'>) =>
  `${record.id}.once.${record.onceAt}`;
const ONCE_JOB_ID = /\.once\.\d+$/;
/** Job ids read per call when searching a queue for one-time markers. */
const ID_PAGE = 5000;
const manualJobId = (id: string, at: number) => `${id}.now.${at}`;

/** The id BullMQ gives a job scheduler's fire planned for `at`. */
export const schedulerJobId = (id: string, at: number) => `repeat:${id}:${at}`;

/** The planned time of a job scheduler's fire is the millis at the end of its job id. */
export function schedulerFireTime(jobId: string | undefined): number | null {
  const match = /^repeat:.+:(\d+)$/.exec(jobId ?? '');
  return match ? Number(match[1]) : null;
}

function marker(record: ScheduleRecord, extra: Partial<ScheduledStartMarker> = {}): ScheduledStartMarker {
  return {
    __scheduledFlowStart: true,
    __flowName: record.flowName,
    __flowInput: record.input,
    __scheduleId: record.id,
    ...extra,
  };
}

/** Creates the BullMQ trigger of an active schedule; `remaining` caps recurring fires. */
export async function installTrigger(
  queues: Queues,
  record: ScheduleRecord,
  remaining: number | null,
  now = Date.now(),
): Promise<void> {
  if (remaining !== null && remaining <= 0) return; // BullMQ reads a limit of 0 as "no limit"
  const queue = queues.queue(record.flowName);
  if (!isRecurring(record)) {
    const at = record.onceAt ?? now;
    await queue.add(MARKER_JOB_NAME, marker(record, { __scheduledFor: at }), {
      ...MARKER_JOB_OPTIONS,
      jobId: onceJobId(record),
      delay: Math.max(0, at - now),
    });
    return;
  }
  await queue.upsertJobScheduler(record.id, repeatOf(record, remaining, now), {
    name: MARKER_JOB_NAME,
    data: marker(record),
    opts: MARKER_JOB_OPTIONS,
  });
}

/** The repeat options of a recurring schedule's job scheduler. */
function repeatOf(record: ScheduleRecord, remaining: number | null, now: number) {
  const window = windowOf(record);
  const common = {
    endDate: window.endDate ?? undefined,
    limit: remaining ?? undefined,
  };
  return record.spec.cron !== undefined
    ? {
        pattern: record.spec.cron,
        tz: record.spec.tz ?? 'UTC',
        startDate: window.startDate ?? undefined,
        ...common,
      }
    : // An explicit start keeps intervals on the schedule's own anchor across pause,
      // resume and repair, instead of BullMQ's "fire at once, then every N".
      {
        every: record.spec.every!,
        startDate: nextEveryFire(record.spec.every!, record.anchor, window, now),
        ...common,
      };
}

/** Removes whichever trigger the schedule has; removing a missing one is a no-op. */
export async function uninstallTrigger(queues: Queues, record: ScheduleRecord): Promise<void> {
  const queue = queues.queue(record.flowName);
  if (isRecurring(record)) {
    await queue.removeJobScheduler(record.id);
  } else {
    const job = await queue.getJob(onceJobId(record));
    if (job && !(await job.isActive())) await job.remove();
  }
}

/** What BullMQ holds of a schedule's trigger. */
export interface TriggerState {
  installed: boolean;
  next: number | null;
}

/** Whether the trigger is in place, and when it fires next. */
export async function inspectTrigger(queues: Queues, record: ScheduleRecord): Promise<TriggerState> {
  const queue = queues.queue(record.flowName);
  if (isRecurring(record)) {
    const scheduler = await queue.getJobScheduler(record.id);
    return { installed: scheduler !== undefined && scheduler !== null, next: scheduler?.next ?? null };
  }
  const job = await queue.getJob(onceJobId(record));
  const state = job ? await job.getState() : 'unknown';
  const pending = state === 'delayed' || state === 'waiting' || state === 'prioritized' || state === 'active';
  return { installed: pending, next: pending ? record.onceAt : null };
}

/**
 * inspectTrigger() for many schedules of one flow at once: the job schedulers' next fires in one
 * ZMSCORE on BullMQ's scheduler set (scored by next fire), one-time schedules one by one.
 */
export async function inspectTriggers(
  { redis }: Pick<EngineContext, 'redis'>,
  queues: Queues,
  flow: string,
  records: ScheduleRecord[],
): Promise<Map<string, TriggerState>> {
  const found = new Map<string, TriggerState>();
  const recurring = records.filter(isRecurring);
  if (recurring.length > 0) {
    const scores = await redis.zmscore(queues.queue(flow).keys.repeat!, ...recurring.map((r) => r.id));
    recurring.forEach((record, i) => {
      const score = scores[i];
      found.set(record.id, { installed: score != null, next: score == null ? null : Number(score) });
    });
  }
  await Promise.all(
    records.filter((r) => !isRecurring(r)).map(async (r) => found.set(r.id, await inspectTrigger(queues, r))),
  );
  return found;
}

/** Fires once now through the marker path, without touching the schedule's trigger. */
export async function fireNow(queues: Queues, record: ScheduleRecord, now = Date.now()): Promise<Job> {
  return queues
    .queue(record.flowName)
    .add(MARKER_JOB_NAME, marker(record, { __scheduledFor: now, __manual: true }), {
      ...MARKER_JOB_OPTIONS,
      jobId: manualJobId(record.id, now),
    });
}

/**
 * Which of these job schedulers' next fires has its job in BullMQ: one EXISTS per schedule,
 * written together.
 */
export async function pendingSchedulerFires(
  { redis }: Pick<EngineContext, 'redis'>,
  queues: Queues,
  flow: string,
  fires: { id: string; next: number }[],
): Promise<Set<string>> {
  const queue = queues.queue(flow);
  const pending = new Set<string>();
  for (let i = 0; i < fires.length; i += 1000) {
    const chunk = fires.slice(i, i + 1000);
    const exists = await Promise.all(
      chunk.map(({ id, next }) => redis.exists(queue.toKey(schedulerJobId(id, next)))),
    );
    chunk.forEach(({ id }, j) => {
      if (exists[j] === 1) pending.add(id);
    });
  }
  return pending;
}

/** Whether BullMQ holds this fire's job and may still deliver it (not failed for good). */
export async function mayDeliver(queues: Queues, flow: string, jobId: string): Promise<boolean> {
  const job = await queues.queue(flow).getJob(jobId);
  if (!job) return false;
  const state = await job.getState();
  return state !== 'failed' && state !== 'unknown';
}

/** Trigger ids in BullMQ, to find orphans whose schedule is gone. */
export async function installedSchedulerIds(queues: Queues, flow: string): Promise<string[]> {
  const schedulers = await queues.queue(flow).getJobSchedulers(0, -1, true);
  return schedulers.map((s) => s.key);
}

export async function removeScheduler(queues: Queues, flow: string, id: string): Promise<void> {
  await queues.queue(flow).removeJobScheduler(id);
}

/**
 * Every delayed or waiting one-time marker, to find orphans whose schedule is gone. The queue
 * also holds the flow's step jobs, so all its ids are read, a page at a time, and only the
 * markers' jobs are fetched.
 */
export async function pendingOnceJobs(queues: Queues, flow: string): Promise<Job[]> {
  const queue = queues.queue(flow);
  const ids: string[] = [];
  for (const state of ['delayed', 'waiting'] as const) {
    for (let start = 0; ; start += ID_PAGE) {
      const page = await queue.getRanges([state], start, start + ID_PAGE - 1, true);
      ids.push(...page.filter((id) => ONCE_JOB_ID.test(id)));
      if (page.length < ID_PAGE) break;
    }
  }
  const jobs = await Promise.all([...new Set(ids)].map((id) => queue.getJob(id)));
  return jobs.filter((job): job is Job => job?.name === MARKER_JOB_NAME);
}

/** The trigger functions bound to one context and queue set, under the names callers use. */
export function createTriggers(ctx: EngineContext, queues: Queues) {
  return {
    install: (record: ScheduleRecord, remaining: number | null, now?: number) =>
      installTrigger(queues, record, remaining, now),
    uninstall: (record: ScheduleRecord) => uninstallTrigger(queues, record),
    inspect: (record: ScheduleRecord) => inspectTrigger(queues, record),
    inspectMany: (flow: string, records: ScheduleRecord[]) => inspectTriggers(ctx, queues, flow, records),
    fireNow: (record: ScheduleRecord, now?: number) => fireNow(queues, record, now),
    pendingSchedulerFires: (flow: string, fires: { id: string; next: number }[]) =>
      pendingSchedulerFires(ctx, queues, flow, fires),
    mayDeliver: (flow: string, jobId: string) => mayDeliver(queues, flow, jobId),
    installedSchedulerIds: (flow: string) => installedSchedulerIds(queues, flow),
    removeScheduler: (flow: string, id: string) => removeScheduler(queues, flow, id),
    pendingOnceJobs: (flow: string) => pendingOnceJobs(queues, flow),
  };
}

export type Triggers = ReturnType<typeof createTriggers>;
