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
afterAll(() => engine.close());

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
