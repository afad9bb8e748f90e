import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { call, FaultStack, FLOW, report, size } from './harness.ts';
import { auditWhenSettled, describeAudit, settled } from './ledger.ts';

// Fault 3: several worker processes on one Redis take the same schedules' fires.
// Sizes: FAULTS_WORKERS, FAULTS_MANY_SCHEDULES, FAULTS_MANY_SECONDS.
const WORKERS = size('FAULTS_WORKERS', 3, 3);
const SCHEDULES = size('FAULTS_MANY_SCHEDULES', 200, 30);
const SECONDS = size('FAULTS_MANY_SECONDS', 60, 15);
const NAME = 'many workers';

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

it(
  'several workers on one Redis: every planned fire starts exactly one run, none is missed',
  async () => {
    stack = await FaultStack.start();
    for (let i = 0; i < WORKERS; i++) await stack.startWorker();
    const api = await stack.startApi();
    const ids: string[] = [];
    for (let i = 0; i < SCHEDULES; i += 25) {
      const batch = Array.from({ length: Math.min(25, SCHEDULES - i) }, () =>
        call(api, 'POST', `/api/_flows/${FLOW}/schedule`, { cron: '* * * * * *' }),
      );
      for (const created of await Promise.all(batch)) {
        expect(created.status).toBe(201);
        ids.push(created.body.id as string);
      }
    }
    const from = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const to = from + SECONDS * 1000;
    report(NAME, `${WORKERS} workers, ${SCHEDULES} schedules firing every second for ${SECONDS} s`);
    await sleep(to - Date.now());

    const audit = await auditWhenSettled(stack, ids, from, to);
    report(NAME, describeAudit(audit));
    const ok =
      settled(audit) &&
      audit.duplicates.length === 0 &&
      audit.missedCatchup === 0 &&
      audit.brokenLinks.length === 0 &&
      audit.otherOutcomes.length === 0;
    report(NAME, ok ? 'PASS' : `FAIL\n${stack.describe()}`);
    expect(audit.unaccounted).toEqual([]);
    expect(audit.missedCatchup).toBe(0);
    expect(audit.duplicates).toEqual([]);
    expect(audit.brokenLinks).toEqual([]);
    expect(audit.otherOutcomes).toEqual([]);
    expect(audit.unfinished).toEqual([]);
    expect(audit.started).toBe(audit.planned);
  },
  30 * 60_000,
);
