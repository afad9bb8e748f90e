import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngineParts, type EngineParts } from '../src/engine.ts';
import { closeClient } from '../src/redis.ts';
import { Backlogs } from '../src/schedules/backlog.ts';
import {
  decide,
  dueSince,
  inWindow,
  notActive,
  outsideWindow,
  overloaded,
  pastCatchup,
  undelivered,
} from '../src/schedules/fire.ts';
import { KnownSchedules } from '../src/schedules/known.ts';
import type { ScheduleRecord, ScheduleStats } from '../src/schedules/record.ts';
import { createScheduleStore, type ScheduleStore } from '../src/schedules/store.ts';
import { createTriggers, type Triggers } from '../src/schedules/triggers.ts';
import { redisUrl, uniquePrefix } from './helpers.ts';

/**
 * The steps of a schedule's fire (fire.ts), one at a time: each is given the schedule and the
 * parts it uses, against the real Redis, with no worker and no BullMQ trigger behind it.
 */

const FLOW = 'paths';
const SECOND = 1000;
const NO_STATS: ScheduleStats = { count: 0, fires: 0, lastRun: null, lastRunId: null, lastPlanned: null };

let parts: EngineParts;
let store: ScheduleStore;
let triggers: Triggers;
let deps: {
  ctx: EngineParts['ctx'];
  store: ScheduleStore;
  triggers: Triggers;
  runs: EngineParts['runs'];
  backlogs: Backlogs;
};
let serial = 0;

beforeEach(() => {
  parts = createEngineParts({
    redisUrl: redisUrl(),
    prefix: uniquePrefix(),
    retention: { maxRuns: 1000, maxAgeMs: 86_400_000 },
    heartbeatMs: 60_000,
  });
  store = createScheduleStore(parts.ctx);
  triggers = createTriggers(parts.ctx, parts.queues);
  deps = { ctx: parts.ctx, store, triggers, runs: parts.runs, backlogs: new Backlogs() };
});

afterEach(async () => {
  await parts.queues.close();
  await closeClient(parts.ctx.redis);
});

/** An active schedule firing every second since `anchor`, not written anywhere yet. */
function schedule(overrides: Partial<ScheduleRecord> = {}): ScheduleRecord {
  const anchor = overrides.anchor ?? Date.now() - 60 * SECOND;
  return {
    id: `sch_${Date.now().toString(36)}${serial++}`,
    flowName: FLOW,
    step: 'only',
    spec: { every: SECOND },
    anchor,
    onceAt: null,
    status: 'active',
    pausedReason: null,
    input: {},
    metadata: {},
    overlap: 'allow',
    catchupWindowMs: null,
    startDate: null,
    endDate: null,
    limit: null,
    jobId: null,
    version: 1,
    createdAt: anchor,
    updatedAt: anchor,
    ...overrides,
  };
}

async function stored(overrides: Partial<ScheduleRecord> = {}) {
  const record = schedule(overrides);
  await store.write(record, null);
  return record;
}

/** Starts a run of the schedule's fire at `at` the way a marker job does, its step held (running). */
async function startedRun(record: ScheduleRecord, at: number) {
  const created = await parts.runs.create({
    flowName: FLOW,
    input: {},
    trigger: { type: 'schedule', scheduleId: record.id, scheduledFor: at },
    steps: [{ name: 'only', needs: [] }],
    heldStep: 'only',
    createWith: store.occurrenceWrite(FLOW, record.id, {
      scheduledFor: at,
      firedAt: Date.now(),
      outcome: 'started',
    }),
  });
  if (created.stale || created.refused) throw new Error('the run should have been created');
  return created.runId;
}

const historyOf = async (record: ScheduleRecord) =>
  (await store.occurrences(FLOW, record.id, { limit: 100 })).items;

describe('deciding a fire', () => {
  it('a scheduled fire later than the catch-up window is missed; a "run now" fire is never too late', async () => {
    const record = schedule({ catchupWindowMs: 5 * SECOND });
    const now = Date.now();
    expect(pastCatchup(record, now - 6 * SECOND, now)).toBe(true);
    expect(await decide(deps, record, now - 6 * SECOND, false, now)).toBe('missed-catchup');
    expect(await decide(deps, record, now - 6 * SECOND, true, now)).toBe('started');
    expect(await decide(deps, record, now - 4 * SECOND, false, now)).toBe('started');
  });

  it('without a catch-up window, a fire is never too late', async () => {
    const record = schedule();
    const now = Date.now();
    expect(pastCatchup(record, now - 86_400_000, now)).toBe(false);
    expect(await decide(deps, record, now - 86_400_000, false, now)).toBe('started');
  });

  it('a fire picked up after its next fire was due, while the queue stayed backlogged since before it was planned, is missed for overload', async () => {
    const record = schedule();
    const now = Date.now();
    // The schedule's latest planned time: its next one is not due yet.
    const latest = record.anchor + Math.floor((now - record.anchor) / SECOND) * SECOND;
    const planned = latest - SECOND;
    deps.backlogs.observe(FLOW, 40, planned - 100);
    deps.backlogs.observe(FLOW, 12, now - 50);
    expect(deps.backlogs.since(FLOW)).toBe(planned - 100);
    expect(await decide(deps, record, planned, false, now)).toBe('missed-overload');
    // "Run now" is never shed, and a fire not yet superseded by its next one still starts.
    expect(await decide(deps, record, planned, true, now)).toBe('started');
    expect(await decide(deps, record, latest, false, now)).toBe('started');
  });

  it('a late fire planned before the backlog began, or after two checks found the queue empty, is caught up, not missed', async () => {
    const record = schedule();
    const now = Date.now();
    const planned = now - 5 * SECOND;
    // A worker back from an outage: its first backlog check comes after the fire was planned.
    deps.backlogs.observe(FLOW, 200, now - SECOND);
    expect(overloaded(record, planned, now, deps.backlogs.since(FLOW))).toBe(false);
    expect(await decide(deps, record, planned, false, now)).toBe('started');
    // One empty check is a moment between bursts; two in a row end the backlog.
    deps.backlogs.observe(FLOW, 0, now);
    expect(deps.backlogs.since(FLOW)).toBe(now - SECOND);
    deps.backlogs.observe(FLOW, 0, now);
    expect(deps.backlogs.since(FLOW)).toBeUndefined();
    // A new backlog began after the last check that found the queue empty.
    deps.backlogs.observe(FLOW, 5, now + 200);
    expect(deps.backlogs.since(FLOW)).toBe(now);
    deps.backlogs.observe(FLOW, undefined, now + 400);
    expect(deps.backlogs.since(FLOW)).toBeUndefined();
    expect(await decide(deps, record, planned, false, now)).toBe('started');
  });

  it('a one-time fire has no next fire, so overload never sheds it', () => {
    const now = Date.now();
    const record = schedule({ spec: { delay: 1000 }, onceAt: now - 10 * SECOND });
    expect(overloaded(record, now - 10 * SECOND, now, now - 60 * SECOND)).toBe(false);
  });

  it("with overlap 'skip', a fire is skipped while the last run goes on and starts once it ended", async () => {
    const record = await stored({ overlap: 'skip' });
    const now = Date.now();
    expect(await decide(deps, record, now, false, now)).toBe('started');
    const runId = await startedRun(record, now - SECOND);
    expect(await decide(deps, record, now, false, now)).toBe('skipped-overlap');
    expect(await decide(deps, record, now, true, now)).toBe('skipped-overlap');
    await parts.runs.stepCompleted(FLOW, runId, 'only', 1, 'done', { dependants: [], sinks: ['only'] });
    expect(await parts.runs.status(FLOW, runId)).toBe('completed');
    expect(await decide(deps, record, now, false, now)).toBe('started');
  });

  it("with overlap 'allow', a fire starts while the last run goes on", async () => {
    const record = await stored();
    await startedRun(record, Date.now() - SECOND);
    const now = Date.now();
    expect(await decide(deps, record, now, false, now)).toBe('started');
  });
});

describe('a fire outside the start and end dates', () => {
  it('before the start date is dropped; inside the dates it goes on', async () => {
    const start = Date.now() + 60 * SECOND;
    const record = schedule({
      startDate: new Date(start).toISOString(),
      endDate: new Date(start + 60 * SECOND).toISOString(),
    });
    expect(await outsideWindow(deps, record, start - SECOND)).toEqual({
      dropped: 'before the schedule starts',
    });
    expect(inWindow(record, start - SECOND)).toBe(false);
    expect(await outsideWindow(deps, record, start + SECOND)).toBeNull();
    expect(inWindow(record, start + SECOND)).toBe(true);
  });

  it('after the end date starts nothing, records nothing and completes the schedule', async () => {
    const end = Date.now() - 5 * SECOND;
    const record = await stored({ endDate: new Date(end).toISOString() });
    expect(await outsideWindow(deps, record, end + SECOND)).toEqual({ dropped: 'after the schedule ends' });
    expect(await store.get(FLOW, record.id)).toMatchObject({ status: 'completed', version: 2 });
    expect(await historyOf(record)).toEqual([]);
  });

  it('after the end date leaves a schedule edited since as it is', async () => {
    const end = Date.now() - 5 * SECOND;
    const record = await stored({ endDate: new Date(end).toISOString() });
    const edited = { ...record, endDate: null, version: 2, updatedAt: Date.now() };
    await store.write(edited, 1);
    expect(await outsideWindow(deps, record, end + SECOND)).toEqual({ dropped: 'after the schedule ends' });
    expect(await store.get(FLOW, record.id)).toMatchObject({ status: 'active', version: 2, endDate: null });
  });
});

describe('a fire of a schedule that is not active', () => {
  it('planned before the pause is recorded skipped-paused; planned after it is dropped', async () => {
    const pausedAt = Date.now() - 2 * SECOND;
    const record = await stored({ status: 'paused', updatedAt: pausedAt, version: 1 });
    expect(await notActive(deps, record, pausedAt - SECOND)).toMatchObject({ outcome: 'skipped-paused' });
    expect(await notActive(deps, record, pausedAt + SECOND)).toEqual({ dropped: 'schedule paused' });
    expect(await historyOf(record)).toMatchObject([
      { scheduledFor: pausedAt - SECOND, outcome: 'skipped-paused' },
    ]);
  });

  it('of a completed schedule is dropped', async () => {
    const record = await stored({ status: 'completed' });
    expect(await notActive(deps, record, Date.now() - SECOND)).toEqual({ dropped: 'schedule completed' });
    expect(await historyOf(record)).toEqual([]);
  });
});

describe('planned fires BullMQ never delivered', () => {
  it('are the due times since the last recorded one (or the last edit), oldest first', () => {
    const anchor = 1_000_000;
    const record = schedule({ anchor, updatedAt: anchor + 2500 });
    // Every second from anchor + 1000; after the edit at +2500 and before the fire at +6000.
    expect(dueSince(record, NO_STATS, anchor + 6000, anchor + 10_000, 1000)).toEqual([
      anchor + 3000,
      anchor + 4000,
      anchor + 5000,
    ]);
    const stats = { ...NO_STATS, lastPlanned: anchor + 4000 };
    expect(dueSince(record, stats, anchor + 6000, anchor + 10_000, 1000)).toEqual([anchor + 5000]);
    // Not yet due at `now`: nothing was missed.
    expect(dueSince(record, NO_STATS, anchor + 6000, anchor + 3500, 1000)).toEqual([anchor + 3000]);
  });

  it('are no more than the history keeps or the limit leaves, the latest of them', () => {
    const anchor = 1_000_000;
    const record = schedule({ anchor, updatedAt: anchor });
    const due = (r: ScheduleRecord, stats: ScheduleStats, kept: number) =>
      dueSince(r, stats, anchor + 10_500, anchor + 20_000, kept);
    expect(due(record, NO_STATS, 3)).toEqual([anchor + 8000, anchor + 9000, anchor + 10_000]);
    // A limit of 5 with 2 fires handled leaves 3, one of them this fire's.
    const limited = { ...record, limit: 5 };
    expect(due(limited, { ...NO_STATS, fires: 2 }, 1000)).toEqual([anchor + 9000, anchor + 10_000]);
    expect(due(limited, { ...NO_STATS, fires: 4 }, 1000)).toEqual([]);
  });

  it('leave out the times already recorded', async () => {
    const anchor = Date.now() - 10 * SECOND;
    const record = await stored({ anchor, updatedAt: anchor });
    const at = anchor + 5 * SECOND;
    await store.recordOccurrence(FLOW, record.id, {
      scheduledFor: anchor + 2000,
      firedAt: Date.now(),
      outcome: 'started',
    });
    expect(await undelivered(deps, record, NO_STATS, at)).toEqual([
      anchor + 1000,
      anchor + 3000,
      anchor + 4000,
    ]);
  });
});

describe('the schedules a worker keeps', () => {
  it('are active recurring ones, the least recently read forgotten first', () => {
    const known = new KnownSchedules(2);
    const [a, b, c] = [schedule(), schedule(), schedule()];
    known.remember(a);
    known.remember(b);
    known.remember(a); // read again: now the most recent
    known.remember(c);
    expect(known.get(FLOW, a.id)).toBe(a);
    expect(known.get(FLOW, b.id)).toBeUndefined();
    expect(known.get(FLOW, c.id)).toBe(c);
    known.remember({ ...c, status: 'paused' });
    known.remember(schedule({ spec: { delay: SECOND } }));
    expect(known.get(FLOW, c.id)).toBeUndefined();
    expect(known.size).toBe(1);
    known.forget(FLOW, a.id);
    expect(known.size).toBe(0);
  });
});
