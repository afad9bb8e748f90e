import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { Problem } from '../../packages/types/src/index.ts';
import { call, FaultStack, FLOW, report, size, waitUntil } from './harness.ts';
import { auditWhenSettled, describeAudit, readLedger, settled } from './ledger.ts';

// Fault 2: redis-server (append-only file on) is stopped mid-load and started again on the same
// port with the same data. Sizes: FAULTS_REDIS_SCHEDULES, FAULTS_REDIS_OUTAGE_MS.
const SCHEDULES = size('FAULTS_REDIS_SCHEDULES', 50, 10);
const LOAD_MS = size('FAULTS_REDIS_LOAD_MS', 10_000, 4000);
const OUTAGE_MS = size('FAULTS_REDIS_OUTAGE_MS', 10_000, 5000);
const AFTER_MS = size('FAULTS_REDIS_AFTER_MS', 10_000, 5000);
/** A request that gets no answer within this long is hanging. */
const HANG_MS = 30_000;
const NAME = 'redis restarted';

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Everything recorded so far, as `kind id` strings. */
async function recorded(s: FaultStack, ids: string[]): Promise<Set<string>> {
  const items = new Set<string>();
  for (const id of await s.client.hkeys(s.keys.schedules(FLOW))) items.add(`schedule ${id}`);
  const ledger = await readLedger(s, ids);
  for (const run of ledger.runs) items.add(`run ${run.id}`);
  for (const [id, byTime] of ledger.occurrences)
    for (const t of byTime.keys()) items.add(`occurrence ${id}@${t}`);
  return items;
}

it(
  'Redis restarted mid-load: nothing written before is lost, health and writes answer 503 during the outage, everything reconnects',
  async () => {
    stack = await FaultStack.start();
    await stack.startWorker();
    const api = await stack.startApi();
    const ids: string[] = [];
    for (let i = 0; i < SCHEDULES; i++) {
      const created = await call(api, 'POST', `/api/_flows/${FLOW}/schedule`, { cron: '* * * * * *' });
      expect(created.status).toBe(201);
      ids.push(created.body.id as string);
    }
    const from = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    report(NAME, `${SCHEDULES} schedules firing every second; outage of ${OUTAGE_MS} ms after ${LOAD_MS} ms`);
    await sleep(from + LOAD_MS - Date.now());

    const before = await recorded(stack, ids);
    await stack.stopRedis();
    const down = Date.now();
    report(NAME, `stopped redis-server with ${before.size} records (schedules, runs, occurrences) written`);

    // During the outage: health says 503, writes answer 503 problem+json instead of hanging.
    const timed = async (method: string, path: string, body?: unknown) => {
      const t0 = performance.now();
      const answer = await call(api, method, path, body, HANG_MS);
      return { ...answer, ms: Math.round(performance.now() - t0) };
    };
    const health = await timed('GET', '/api/health');
    const write = await timed('POST', `/api/_flows/${FLOW}/schedule`, { cron: '0 0 1 1 *' });
    const start = await timed('POST', `/api/_flows/${FLOW}/start`, {});
    report(
      NAME,
      `during the outage: health ${health.status} (${health.ms} ms), create schedule ${write.status} (${write.ms} ms), start ${start.status} (${start.ms} ms)`,
    );
    expect(health.status).toBe(503);
    for (const answer of [write, start]) {
      expect(answer.status).toBe(503);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(Problem.parse(answer.body).code).toBe('redis_unavailable');
    }
    await sleep(Math.max(0, down + OUTAGE_MS - Date.now()));

    await stack.startRedisAgain();
    const up = Date.now();
    report(NAME, `started redis-server again after ${up - down} ms`);
    await waitUntil(
      'the API reports healthy',
      async () => (await call(api, 'GET', '/api/health')).status === 200,
      60_000,
    );
    const created = await call(api, 'POST', `/api/_flows/${FLOW}/schedule`, { cron: '0 0 1 1 *' });
    expect(created.status).toBe(201);
    await call(api, 'DELETE', `/api/_flows/${FLOW}/schedules/${created.body.id}`);

    // The worker reconnects: every schedule fires again after the restart.
    const after = Math.ceil(Date.now() / 1000) * 1000;
    await waitUntil(
      'every schedule has fired after the restart',
      async () => {
        const ledger = await readLedger(stack!, ids);
        return ids.every((id) => [...(ledger.occurrences.get(id)?.keys() ?? [])].some((t) => t >= after));
      },
      60_000,
    );
    const afterRestart = await recorded(stack, ids);
    const lost = [...before].filter((item) => !afterRestart.has(item));
    report(
      NAME,
      `after the restart: ${lost.length} of ${before.size} records lost; API and worker reconnected`,
    );
    expect(lost).toEqual([]);

    // Fires planned during the outage are handled once Redis is back.
    await sleep(AFTER_MS);
    const to = Math.floor(Date.now() / 1000) * 1000 - 2000;
    const audit = await auditWhenSettled(stack, ids, from, to);
    report(NAME, describeAudit(audit));
    const ok = settled(audit) && audit.duplicates.length === 0 && audit.brokenLinks.length === 0;
    report(NAME, ok ? 'PASS' : `FAIL\n${stack.describe()}`);
    expect(audit.unaccounted).toEqual([]);
    expect(audit.duplicates).toEqual([]);
    expect(audit.brokenLinks).toEqual([]);
    expect(audit.unfinished).toEqual([]);
  },
  10 * 60_000,
);
