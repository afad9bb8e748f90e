import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import {
  type Api,
  call,
  FaultStack,
  FLOW,
  report,
  type Service,
  STALL_TIMEOUT_MS,
  size,
  waitUntil,
} from './harness.ts';
import { auditWhenSettled, describeAudit, settled } from './ledger.ts';

// Fault 1: the worker is killed with SIGKILL at random moments while schedules fire every
// second, and restarted each time. Sizes: FAULTS_KILL_SCHEDULES, FAULTS_KILL_SECONDS, FAULTS_KILLS.
const SCHEDULES = size('FAULTS_KILL_SCHEDULES', 50, 10);
const SECONDS = size('FAULTS_KILL_SECONDS', 60, 20);
const KILLS = size('FAULTS_KILLS', 3, 3);
/** How long the worker stays down before it is restarted, as a supervisor would. */
const DOWNTIME_MS = size('FAULTS_KILL_DOWNTIME_MS', 3000, 3000);
const NAME = 'worker killed';

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

it(
  'a worker killed with SIGKILL mid-load: every planned fire has one occurrence, no fire has two runs, every run finishes',
  async () => {
    stack = await FaultStack.start();
    let worker: Service = await stack.startWorker();
    const api: Api = await stack.startApi();
    const ids: string[] = [];
    for (let i = 0; i < SCHEDULES; i++) {
      const created = await call(api, 'POST', `/api/_flows/${FLOW}/schedule`, { cron: '* * * * * *' });
      expect(created.status).toBe(201);
      ids.push(created.body.id as string);
    }
    const from = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const to = from + SECONDS * 1000;
    report(NAME, `${SCHEDULES} schedules firing every second, window ${SECONDS} s, ${KILLS} kills`);

    // One random moment in each of KILLS equal slices of the window, leaving each restarted
    // worker time to get going before the next kill.
    const slice = (to - from - 2000) / KILLS;
    const room = Math.max(0, slice - DOWNTIME_MS - 2000);
    const moments = Array.from({ length: KILLS }, (_, i) => from + 1000 + i * slice + Math.random() * room);
    for (const moment of moments) {
      await sleep(Math.max(0, moment - Date.now()));
      const { signal } = await worker.stop('SIGKILL');
      report(NAME, `killed ${worker.name} (${signal}) at +${((Date.now() - from) / 1000).toFixed(1)} s`);
      await sleep(DOWNTIME_MS);
      worker = await stack.startWorker();
      report(NAME, `${worker.name} took over at +${((Date.now() - from) / 1000).toFixed(1)} s`);
    }
    await sleep(Math.max(0, to - Date.now()));

    // Steps the killed workers held are taken over after the stall timeout; wait for them.
    const audit = await auditWhenSettled(stack, ids, from, to);
    report(NAME, describeAudit(audit));
    const ok =
      settled(audit) &&
      audit.duplicates.length === 0 &&
      audit.brokenLinks.length === 0 &&
      audit.otherOutcomes.length === 0;
    report(NAME, ok ? 'PASS' : `FAIL\n${stack.describe()}`);
    expect(audit.unaccounted).toEqual([]);
    expect(audit.duplicates).toEqual([]);
    expect(audit.brokenLinks).toEqual([]);
    expect(audit.otherOutcomes).toEqual([]);
    expect(audit.unfinished).toEqual([]);
  },
  30 * 60_000,
);

it(
  'a step whose worker is killed twice mid-step ends its run failed instead of leaving it running',
  async () => {
    stack = await FaultStack.start();
    let worker = await stack.startWorker();
    const api = await stack.startApi();
    const started = await call(api, 'POST', '/api/_flows/slow-flow/start', {});
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    const startsOfStep = async () => {
      const events = await call(api, 'GET', `/api/_flows/slow-flow/runs/${runId}/events`);
      return (events.body.items as { type: string }[]).filter((e) => e.type === 'step.started').length;
    };
    for (const kill of [1, 2]) {
      await waitUntil(
        `the step has started ${kill} time(s)`,
        async () => (await startsOfStep()) >= kill,
        120_000,
      );
      await worker.stop('SIGKILL');
      report('step abandoned', `killed ${worker.name} during attempt ${kill} of the step`);
      worker = await stack.startWorker();
    }
    let run: Record<string, unknown> = {};
    await waitUntil(
      'the run has ended',
      async () => {
        run = (await call(api, 'GET', `/api/_flows/slow-flow/runs/${runId}`)).body;
        return run.status !== 'running' && run.status !== 'queued';
      },
      STALL_TIMEOUT_MS * 6 + 30_000,
    );
    const error = run.error as { name?: string; message: string } | null;
    report('step abandoned', `run ${run.status}: ${error?.message}`);
    expect(run.status).toBe('failed');
    expect(error?.name).toBe('WorkerLostError');
    expect(await startsOfStep()).toBe(2);
  },
  10 * 60_000,
);
