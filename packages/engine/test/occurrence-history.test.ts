import { afterEach, describe, expect, it } from 'vitest';
import { createEngineParts, type EngineParts } from '../src/engine.ts';
import { decodeOccurrence, occurrenceMemberPrefix } from '../src/occurrences/format.ts';
import { createScheduleStore } from '../src/schedules/store.ts';
import { redisUrl, uniquePrefix } from './helpers.ts';

/**
 * A schedule's history keeps each fire as one member of its occurrence index. These prove the
 * format holds every field, and that the history pages newest first, stops a second run of a fire
 * and keeps its newest fires.
 */

describe('an occurrence stored as its index member', () => {
  it('reads back every field, an error holding "|" and a fire without a run included', () => {
    const started = {
      scheduledFor: 1_795_000_000_000,
      firedAt: 1_795_000_000_037,
      outcome: 'started' as const,
    };
    expect(decodeOccurrence(`${occurrenceMemberPrefix(started)}run_01abc`)).toEqual({
      ...started,
      runId: 'run_01abc',
    });
    const failed = {
      scheduledFor: 1_795_000_001_000,
      firedAt: 1_795_000_000_990,
      outcome: 'failed' as const,
      manual: true,
      error: "input: expected 'a|b' | 'c'",
    };
    expect(decodeOccurrence(occurrenceMemberPrefix(failed))).toEqual(failed);
  });
});

let parts: EngineParts | undefined;
afterEach(async () => {
  await parts?.ctx.redis.quit();
  parts = undefined;
});

describe("a schedule's history", () => {
  const flow = 'history';
  const id = 'sch_history';

  /** Engine parts keeping `kept` fires per schedule, with the schedule's record in place (a deleted
   * schedule records nothing). */
  async function setUp(kept: number) {
    parts = createEngineParts({
      redisUrl: redisUrl(),
      prefix: uniquePrefix(),
      retention: { maxRuns: 1000, maxAgeMs: 86_400_000, occurrencesPerSchedule: kept },
      heartbeatMs: 60_000,
    });
    await parts.ctx.redis.hset(parts.ctx.keys.schedules(flow), id, '{}');
    return createScheduleStore(parts.ctx);
  }

  it('is listed newest first, and pages by planned time', async () => {
    const store = await setUp(1000);
    for (const [at, runId] of [
      [1000, 'run_old'],
      [2000, 'run_new'],
    ] as const) {
      await store.recordOccurrence(flow, id, {
        scheduledFor: at,
        firedAt: at + 10,
        outcome: 'started',
        runId,
      });
    }
    const first = await store.occurrences(flow, id, { limit: 1 });
    expect(first.items).toEqual([
      { scheduledFor: 2000, firedAt: 2010, outcome: 'started', runId: 'run_new' },
    ]);
    expect(first.nextCursor).toBe('2000');
    const second = await store.occurrences(flow, id, { limit: 1, cursor: first.nextCursor! });
    expect(second).toEqual({
      items: [{ scheduledFor: 1000, firedAt: 1010, outcome: 'started', runId: 'run_old' }],
      nextCursor: null,
    });
    expect(await store.hasOccurrence(flow, id, 1000)).toBe(true);
    expect(await store.hasOccurrence(flow, id, 1500)).toBe(false);
  });

  it('stops a second run of a recorded fire and names the run it started', async () => {
    const store = await setUp(1000);
    await store.recordOccurrence(flow, id, {
      scheduledFor: 1000,
      firedAt: 1005,
      outcome: 'started',
      runId: 'run_old',
    });
    const again = await parts!.runs.create({
      flowName: flow,
      input: {},
      trigger: { type: 'schedule', scheduleId: id, scheduledFor: 1000 },
      steps: [{ name: 'only', needs: [] }],
      createWith: store.occurrenceWrite(flow, id, { scheduledFor: 1000, firedAt: 9000, outcome: 'started' }),
    });
    expect(again).toMatchObject({ created: false, runId: 'run_old', recorded: false });
    expect(
      await store.recordOccurrence(flow, id, {
        scheduledFor: 1000,
        firedAt: 9000,
        outcome: 'skipped-overlap',
      }),
    ).toBe(false);
  });

  it('keeps the newest fires once they fill the history', async () => {
    const store = await setUp(2);
    for (const at of [1000, 2000, 3000]) {
      await store.recordOccurrence(flow, id, {
        scheduledFor: at,
        firedAt: at + 1,
        outcome: 'started',
        runId: `run_${at}`,
      });
    }
    await store.recordOccurrence(flow, id, { scheduledFor: 4000, firedAt: 4001, outcome: 'missed-catchup' });
    expect((await store.occurrences(flow, id, { limit: 10 })).items.map((o) => o.scheduledFor)).toEqual([
      4000, 3000,
    ]);
    expect(await parts!.ctx.redis.zcard(parts!.ctx.keys.occurrenceIndex(flow, id))).toBe(2);
  });
});
