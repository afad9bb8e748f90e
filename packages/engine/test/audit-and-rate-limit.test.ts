import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine.ts';
import { redisUrl, uniquePrefix } from './helpers.ts';

const engine = createEngine({
  redisUrl: redisUrl(),
  prefix: uniquePrefix(),
  retention: { maxRuns: 100, maxAgeMs: 86_400_000 },
  heartbeatMs: 500,
  auditMaxEntries: 10,
});
/** Keeps 10 entries whatever their age, those of the last day up to 25. */
const aged = createEngine({
  redisUrl: redisUrl(),
  prefix: uniquePrefix(),
  retention: { maxRuns: 100, maxAgeMs: 86_400_000 },
  heartbeatMs: 500,
  auditMaxEntries: 10,
  auditRetentionMs: 86_400_000,
  auditHardMaxEntries: 25,
});
afterAll(async () => {
  await engine.close();
  await aged.close();
});

const DAY = 86_400_000;
const runStart = (flowName: string, runId: string, at: number) =>
  ({ actor: 'ci', action: 'run.start', flowName, runId, at }) as const;

describe('the audit trail', () => {
  it('lists entries newest first, per flow or across flows, filtered by schedule', async () => {
    await engine.audit.record({
      actor: 'ci',
      action: 'run.start',
      flowName: 'audit-a',
      runId: 'r1',
      at: 1000,
    });
    await engine.audit.record({
      actor: 'ops',
      action: 'schedule.update',
      flowName: 'audit-b',
      scheduleId: 's1',
      before: { limit: 1 },
      after: { limit: 2 },
      at: 2000,
    });
    await engine.audit.record({
      actor: 'ops',
      action: 'schedule.pause',
      flowName: 'audit-b',
      scheduleId: 's2',
      at: 3000,
    });

    const all = await engine.audit.list({ limit: 100 });
    expect(all.map((e) => e.action)).toEqual(['schedule.pause', 'schedule.update', 'run.start']);
    const ofB = await engine.audit.list({ flowName: 'audit-b', scheduleId: 's1', limit: 100 });
    expect(ofB).toEqual([
      expect.objectContaining({ actor: 'ops', before: { limit: 1 }, after: { limit: 2 } }),
    ]);
  });

  it('keeps only the newest entries of a flow', async () => {
    for (let i = 0; i < 15; i += 1) {
      await engine.audit.record({
        actor: 'ci',
        action: 'run.start',
        flowName: 'audit-c',
        runId: `r${i}`,
        at: i,
      });
    }
    const kept = await engine.audit.list({ flowName: 'audit-c', limit: 100 });
    expect(kept.map((e) => e.runId)).toEqual(Array.from({ length: 10 }, (_, i) => `r${14 - i}`));
  });
});

describe('the audit trail, bounded by age and size', () => {
  it('keeps entries younger than the retention beyond the count, so a burst does not push out recent history', async () => {
    const now = Date.now();
    for (let i = 0; i < 5; i += 1) await aged.audit.record(runStart('aged-a', `old${i}`, now - 2 * DAY));
    for (let i = 0; i < 20; i += 1) await aged.audit.record(runStart('aged-a', `new${i}`, now));
    const kept = await aged.audit.list({ flowName: 'aged-a', limit: 500 });
    // 20 of the last day (more than the 10 kept whatever their age); the old ones went first.
    expect(kept.map((e) => e.runId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `new${i}`).sort());
  });

  it('keeps the newest entries whatever their age on a quiet flow', async () => {
    for (let i = 0; i < 14; i += 1) await aged.audit.record(runStart('aged-b', `r${i}`, 1000 + i));
    const kept = await aged.audit.list({ flowName: 'aged-b', limit: 500 });
    expect(kept.map((e) => e.runId)).toEqual(Array.from({ length: 10 }, (_, i) => `r${13 - i}`));
  });

  it('never keeps more than the hard cap, however recent', async () => {
    for (let i = 0; i < 30; i += 1) await aged.audit.record(runStart('aged-c', `r${i}`, Date.now()));
    const kept = await aged.audit.list({ flowName: 'aged-c', limit: 500 });
    expect(kept).toHaveLength(25);
    expect(kept.map((e) => e.runId)).not.toContain('r4');
    expect(kept.map((e) => e.runId)).toContain('r5');
  });

  it('keeps denied requests apart: a flood of them leaves the changes in place', async () => {
    await aged.audit.record(runStart('aged-d', 'kept', Date.now()));
    for (let i = 0; i < 40; i += 1) {
      await aged.audit.record({
        actor: 'anonymous',
        action: 'access.denied',
        flowName: 'aged-d',
        after: { i },
      });
    }
    const ofFlow = await aged.audit.list({ flowName: 'aged-d', limit: 500 });
    expect(ofFlow.filter((e) => e.action === 'run.start').map((e) => e.runId)).toEqual(['kept']);
    expect(ofFlow.filter((e) => e.action === 'access.denied')).toHaveLength(25);
    await aged.audit.record({ actor: 'anonymous', action: 'access.denied', after: { path: '/api/_audit' } });
    const across = await aged.audit.list({ limit: 1 });
    expect(across[0]).toMatchObject({ action: 'access.denied', after: { path: '/api/_audit' } });
    expect(across[0]!.flowName).toBeUndefined();
  });

  it("finds a schedule's entries past the first pages of a long list", async () => {
    const roomy = createEngine({
      redisUrl: redisUrl(),
      prefix: uniquePrefix(),
      retention: { maxRuns: 100, maxAgeMs: DAY },
      heartbeatMs: 500,
    });
    try {
      for (let i = 0; i < 3; i += 1) {
        await roomy.audit.record({
          actor: 'ops',
          action: 'schedule.pause',
          flowName: 'long',
          scheduleId: 'old',
        });
      }
      for (let i = 0; i < 450; i += 1) await roomy.audit.record(runStart('long', `r${i}`, Date.now()));
      expect(await roomy.audit.list({ flowName: 'long', scheduleId: 'old', limit: 100 })).toHaveLength(3);
      const newest = await roomy.audit.list({ flowName: 'long', limit: 2 });
      expect(newest.map((e) => e.runId)).toEqual(['r449', 'r448']);
    } finally {
      await roomy.close();
    }
  });
});

describe('the write rate limit', () => {
  it('allows `limit` hits of one subject per window, then refuses with the time to wait', async () => {
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await engine.rateLimit.hit('ci', 3, 86_400_000));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]!.resetMs).toBeGreaterThan(0);
    expect(results[3]!.resetMs).toBeLessThanOrEqual(86_400_000);
    // Another subject has its own count.
    expect((await engine.rateLimit.hit('ops', 3, 86_400_000)).allowed).toBe(true);
  });
});
