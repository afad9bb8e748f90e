import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineParts, type EngineParts } from '../src/engine.ts';
import { decodeOccurrence, occurrenceMemberPrefix } from '../src/schedules/occurrence-format.ts';
import { createScheduleStore } from '../src/schedules/store.ts';
import { redisUrl, uniquePrefix } from './helpers.ts';

/**
 * A schedule's history keeps each fire as one member of its occurrence index. These prove the
 * format holds every field, and that fires recorded in the earlier format (JSON in a hash beside a
 * bare index entry) are still listed, still stop a second run, and are trimmed with the rest.
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
let client: Redis | undefined;
afterEach(async () => {
  await parts?.ctx.redis.quit();
  await client?.quit();
  parts = client = undefined;
});

describe('a history recorded before occurrences were index members', () => {
  const flow = 'history';
  const id = 'sch_legacy';

  /** Engine parts keeping `kept` fires per schedule, and the history's keys. */
  function setUp(kept: number) {
    const prefix = uniquePrefix();
    parts = createEngineParts({
      redisUrl: redisUrl(),
      prefix,
      retention: { maxRuns: 1000, maxAgeMs: 86_400_000, occurrencesPerSchedule: kept },
      heartbeatMs: 60_000,
    });
    client = new Redis(redisUrl());
    const { keys } = parts.ctx;
    return {
      store: createScheduleStore(parts.ctx),
      hash: keys.occurrences(flow, id),
      index: keys.occurrenceIndex(flow, id),
    };
  }

  /** Writes a fire the way the earlier format did (its schedule is there: a deleted one records nothing). */
  async function recordLegacy(hash: string, index: string, at: number, runId: string) {
    await client!.hset(parts!.ctx.keys.schedules(flow), id, '{}');
    const json = JSON.stringify({ scheduledFor: at, firedAt: at + 5, outcome: 'started', runId });
    await client!.hset(hash, String(at), json);
    await client!.zadd(index, at, String(at));
  }

  it('is listed newest first beside newer fires, and pages by planned time', async () => {
    const { store, hash, index } = setUp(1000);
    await recordLegacy(hash, index, 1000, 'run_old');
    await store.recordOccurrence(flow, id, {
      scheduledFor: 2000,
      firedAt: 2010,
      outcome: 'started',
      runId: 'run_new',
    });
    const first = await store.occurrences(flow, id, { limit: 1 });
    expect(first.items).toEqual([
      { scheduledFor: 2000, firedAt: 2010, outcome: 'started', runId: 'run_new' },
    ]);
    expect(first.nextCursor).toBe('2000');
    const second = await store.occurrences(flow, id, { limit: 1, cursor: first.nextCursor! });
    expect(second).toEqual({
      items: [{ scheduledFor: 1000, firedAt: 1005, outcome: 'started', runId: 'run_old' }],
      nextCursor: null,
    });
    expect(await store.hasOccurrence(flow, id, 1000)).toBe(true);
    expect(await store.hasOccurrence(flow, id, 1500)).toBe(false);
  });

  it('stops a second run of its fire and names the run it started', async () => {
    const { store, hash, index } = setUp(1000);
    await recordLegacy(hash, index, 1000, 'run_old');
    const again = await parts!.runs.create({
      flowName: flow,
      input: {},
      trigger: { type: 'schedule', scheduleId: id, scheduledFor: 1000 },
      steps: [{ name: 'only', needs: [] }],
      occurrence: store.occurrenceWrite(flow, id, { scheduledFor: 1000, firedAt: 9000, outcome: 'started' }),
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

  it('is trimmed, its hash entry with it, once newer fires fill the history', async () => {
    const { store, hash, index } = setUp(2);
    await recordLegacy(hash, index, 1000, 'run_a');
    await recordLegacy(hash, index, 2000, 'run_b');
    await store.recordOccurrence(flow, id, {
      scheduledFor: 3000,
      firedAt: 3001,
      outcome: 'started',
      runId: 'run_c',
    });
    expect(await client!.hkeys(hash)).toEqual(['2000']);
    await store.recordOccurrence(flow, id, { scheduledFor: 4000, firedAt: 4001, outcome: 'missed-catchup' });
    expect(await client!.exists(hash)).toBe(0);
    expect((await store.occurrences(flow, id, { limit: 10 })).items.map((o) => o.scheduledFor)).toEqual([
      4000, 3000,
    ]);
  });
});
