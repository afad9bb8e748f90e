import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { type Api, call, FaultStack, FLOW, report, type Service, size, waitUntil } from './harness.ts';
import { auditWhenSettled, describeAudit, readLedger, settled } from './ledger.ts';

// Fault 4: the API and the workers are restarted with SIGTERM under load, one at a time, as a
// rolling deploy does. Sizes: FAULTS_ROLLING_SCHEDULES, FAULTS_ROLLING_SECONDS, FAULTS_CLIENTS.
const SCHEDULES = size('FAULTS_ROLLING_SCHEDULES', 50, 10);
const SECONDS = size('FAULTS_ROLLING_SECONDS', 60, 16);
const CLIENTS = size('FAULTS_CLIENTS', 8, 4);

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Bookkeeping events of BullMQ's queue: a 'stalled' one means a job was left behind by a worker. */
async function stalledJobs(s: FaultStack, flow: string): Promise<number> {
  const events = await s.client.xrange(`${s.keys.queuePrefix(flow)}:${flow}:events`, '-', '+');
  return events.filter(([, fields]) => fields[0] === 'event' && fields[1] === 'stalled').length;
}

it(
  'the API restarted with SIGTERM under load: every start a client sent, retried with its Idempotency-Key, made exactly one run',
  async () => {
    const NAME = 'API restarted';
    stack = await FaultStack.start();
    await stack.startWorker();
    let api: Api = await stack.startApi();
    const port = Number(new URL(api.baseUrl).port);
    const baseUrl = api.baseUrl;
    let stop = false;
    const acknowledged = new Map<string, string>();
    let retries = 0;
    /** Sends starts one after another; on a network error or a 5xx, the same key again. */
    const client = async (c: number) => {
      for (let n = 0; !stop; n++) {
        const key = `client-${c}-start-${n}`;
        for (;;) {
          try {
            const response = await fetch(`${baseUrl}/api/_flows/${FLOW}/start`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'idempotency-key': key },
              body: '{}',
              signal: AbortSignal.timeout(30_000),
            });
            const body = (await response.json()) as { runId?: string };
            if (response.status === 202 && body.runId) {
              acknowledged.set(key, body.runId);
              break;
            }
          } catch {
            // The API is restarting: try again.
          }
          retries++;
          await sleep(100);
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    await sleep(2000);
    const exit = await api.stop('SIGTERM');
    report(
      NAME,
      `SIGTERM: ${api.name} exited with ${exit.signal ?? exit.code} after ${acknowledged.size} starts`,
    );
    expect(exit.code).toBe(0);
    api = await stack.startApi({}, port);
    report(NAME, `${api.name} listens on the same port`);
    await sleep(2000);
    stop = true;
    await Promise.all(clients);

    const ledger = await readLedger(stack, []);
    const runsByKey = [...acknowledged.values()];
    const existing = new Set(ledger.runs.map((r) => r.id));
    const missing = runsByKey.filter((id) => !existing.has(id));
    const apiRuns = ledger.runs.filter((r) => r.scheduleId === null).length;
    report(
      NAME,
      `${acknowledged.size} starts acknowledged (${retries} retries), ${apiRuns} runs exist, ${missing.length} acknowledged runs missing`,
    );
    expect(missing).toEqual([]);
    // A start retried after the restart found its first run: one run per key, none extra.
    expect(new Set(runsByKey).size).toBe(acknowledged.size);
    expect(apiRuns).toBe(acknowledged.size);
    await waitUntil(
      'every run finished',
      async () => (await readLedger(stack!, [])).runs.every((r) => r.status === 'completed'),
      60_000,
    );
    report(NAME, 'PASS');
  },
  5 * 60_000,
);

it(
  'workers replaced one by one with SIGTERM under load: running steps finish, no job is left to stall, every fire runs once',
  async () => {
    const NAME = 'rolling worker deploy';
    stack = await FaultStack.start();
    const workers: Service[] = [await stack.startWorker()];
    const api = await stack.startApi();
    const ids: string[] = [];
    for (let i = 0; i < SCHEDULES; i++) {
      const created = await call(api, 'POST', `/api/_flows/${FLOW}/schedule`, { cron: '* * * * * *' });
      expect(created.status).toBe(201);
      ids.push(created.body.id as string);
    }
    const from = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const to = from + SECONDS * 1000;
    report(NAME, `${SCHEDULES} schedules firing every second for ${SECONDS} s`);

    // Replace each worker in turn: start a new one, stop the oldest (it finishes what it
    // runs). Before the first stop, steps of 5 s are started while it is the only worker.
    const held: string[] = [];
    const rounds = 2;
    for (let round = 0; round < rounds; round++) {
      await sleep(Math.max(0, from + (round * (to - from)) / rounds + 1000 - Date.now()));
      if (round === 0) {
        for (let i = 0; i < 3; i++) {
          held.push((await call(api, 'POST', '/api/_flows/hold-flow/start', {})).body.runId as string);
        }
        await waitUntil(
          'the held steps are running',
          async () => {
            const runs = await Promise.all(
              held.map((id) => call(api, 'GET', `/api/_flows/hold-flow/runs/${id}`)),
            );
            return runs.every((r) => r.body.status === 'running');
          },
          30_000,
        );
      }
      workers.push(await stack.startWorker());
      const oldest = workers.shift()!;
      const t0 = Date.now();
      const exit = await oldest.stop('SIGTERM');
      report(
        NAME,
        `SIGTERM: ${oldest.name} exited with ${exit.signal ?? exit.code} after ${Date.now() - t0} ms`,
      );
      expect(exit.code).toBe(0);
      expect(oldest.tail(50)).toContain('"msg":"worker stopped"');
      if (round === 0) {
        // When the worker is gone, the steps it was running have completed: it finished them.
        const runs = await Promise.all(
          held.map((id) => call(api, 'GET', `/api/_flows/hold-flow/runs/${id}`)),
        );
        const statuses = runs.map((r) => r.body.status);
        report(
          NAME,
          `the 5 s steps ${oldest.name} was running at SIGTERM: ${statuses.join(', ')} when it exited`,
        );
        expect(statuses).toEqual(['completed', 'completed', 'completed']);
      }
    }
    await sleep(Math.max(0, to - Date.now()));

    for (const id of held) {
      const run = (await call(api, 'GET', `/api/_flows/hold-flow/runs/${id}`)).body;
      const steps = run.steps as { attempts: number; status: string }[];
      expect(run.status).toBe('completed');
      expect(steps[0]!.attempts).toBe(1);
    }
    report(NAME, 'each of those steps ran once, on its first attempt');

    const audit = await auditWhenSettled(stack, ids, from, to);
    const stalled = (await stalledJobs(stack, FLOW)) + (await stalledJobs(stack, 'hold-flow'));
    report(NAME, `${describeAudit(audit)}; jobs left to stall ${stalled}`);
    const ok = settled(audit) && audit.duplicates.length === 0 && stalled === 0 && audit.failedRuns === 0;
    report(NAME, ok ? 'PASS' : `FAIL\n${stack.describe()}`);
    expect(stalled).toBe(0);
    expect(audit.unaccounted).toEqual([]);
    expect(audit.duplicates).toEqual([]);
    expect(audit.brokenLinks).toEqual([]);
    expect(audit.unfinished).toEqual([]);
    expect(audit.failedRuns).toBe(0);
  },
  10 * 60_000,
);
