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

export function createTriggers(ctx: EngineContext, queues: Queues) {
  /** Creates the BullMQ trigger of an active schedule; `remaining` caps recurring fires. */
  async function install(record: ScheduleRecord, remaining: number | null, now = Date.now()) {
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
    const window = windowOf(record);
    const common = {
      endDate: window.endDate ?? undefined,
      limit: remaining ?? undefined,
    };
    const repeat =
      record.spec.cron !== undefined
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
    await queue.upsertJobScheduler(record.id, repeat, {
      name: MARKER_JOB_NAME,
      data: marker(record),
      opts: MARKER_JOB_OPTIONS,
    });
  }

  /** Removes whichever trigger the schedule has; removing a missing one is a no-op. */
  async function uninstall(record: ScheduleRecord) {
    const queue = queues.queue(record.flowName);
    if (isRecurring(record)) {
      await queue.removeJobScheduler(record.id);
    } else {
      const job = await queue.getJob(onceJobId(record));
      if (job && !(await job.isActive())) await job.remove();
    }
  }

  /**
   * inspect() for many schedules of one flow at once: the job schedulers' next fires in one
   * ZMSCORE on BullMQ's scheduler set (scored by next fire), one-time schedules one by one.
   */
  async function inspectMany(flow: string, records: ScheduleRecord[]) {
    const found = new Map<string, { installed: boolean; next: number | null }>();
    const recurring = records.filter(isRecurring);
    if (recurring.length > 0) {
      const scores = await ctx.redis.zmscore(queues.queue(flow).keys.repeat!, ...recurring.map((r) => r.id));
      recurring.forEach((record, i) => {
        const score = scores[i];
        found.set(record.id, { installed: score != null, next: score == null ? null : Number(score) });
      });
    }
    await Promise.all(
      records.filter((r) => !isRecurring(r)).map(async (r) => found.set(r.id, await inspect(r))),
    );
    return found;
  }

  /** Whether the trigger is in place, and when it fires next. */
  async function inspect(record: ScheduleRecord): Promise<{ installed: boolean; next: number | null }> {
    const queue = queues.queue(record.flowName);
    if (isRecurring(record)) {
      const scheduler = await queue.getJobScheduler(record.id);
      return { installed: scheduler !== undefined && scheduler !== null, next: scheduler?.next ?? null };
    }
    const job = await queue.getJob(onceJobId(record));
    const state = job ? await job.getState() : 'unknown';
    const pending =
      state === 'delayed' || state === 'waiting' || state === 'prioritized' || state === 'active';
    return { installed: pending, next: pending ? record.onceAt : null };
  }

  /** Fires once now through the marker path, without touching the schedule's trigger. */
  async function fireNow(record: ScheduleRecord, now = Date.now()): Promise<Job> {
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
  async function pendingSchedulerFires(flow: string, fires: { id: string; next: number }[]) {
    const queue = queues.queue(flow);
    const pending = new Set<string>();
    for (let i = 0; i < fires.length; i += 1000) {
      const chunk = fires.slice(i, i + 1000);
      const exists = await Promise.all(
        chunk.map(({ id, next }) => ctx.redis.exists(queue.toKey(schedulerJobId(id, next)))),
      );
      chunk.forEach(({ id }, j) => {
        if (exists[j] === 1) pending.add(id);
      });
    }
    return pending;
  }

  /** Whether BullMQ holds this fire's job and may still deliver it (not failed for good). */
  async function mayDeliver(flow: string, jobId: string): Promise<boolean> {
    const job = await queues.queue(flow).getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    return state !== 'failed' && state !== 'unknown';
  }

  /** Trigger ids in BullMQ, to find orphans whose schedule is gone. */
  async function installedSchedulerIds(flow: string): Promise<string[]> {
    const schedulers = await queues.queue(flow).getJobSchedulers(0, -1, true);
    return schedulers.map((s) => s.key);
  }

  async function removeScheduler(flow: string, id: string) {
    await queues.queue(flow).removeJobScheduler(id);
  }

  /**
   * Every delayed or waiting one-time marker, to find orphans whose schedule is gone. The queue
   * also holds the flow's step jobs, so all its ids are read, a page at a time, and only the
   * markers' jobs are fetched.
   */
  async function pendingOnceJobs(flow: string): Promise<Job[]> {
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

  return {
    install,
    uninstall,
    inspect,
    inspectMany,
    fireNow,
    pendingSchedulerFires,
    mayDeliver,
    installedSchedulerIds,
    removeScheduler,
    pendingOnceJobs,
  };
}

export type Triggers = ReturnType<typeof createTriggers>;
