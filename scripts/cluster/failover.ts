// The failover check: schedules firing every second and a steady stream of API starts, then a
// Redis primary goes away. Measured: how long until a replica took over, how long the API
// answered 503, when the workers' heartbeats came back, which fires were skipped during the
// outage, and whether anything acknowledged before the failure was lost.

import { setTimeout as sleep } from 'node:timers/promises';
import { countFires, pool, type RunSummary, runsSince } from './fires.ts';
import type { ApiClient } from './http.ts';
import { waitFor } from './processes.ts';
import type { Report } from './report.ts';
import type { Stack } from './stack.ts';

/** Redis replicates asynchronously: a write acknowledged this shortly before the primary died may be lost. */
export const REPLICATION_WINDOW_MS = 1000;
/** Fires planned this long after the takeover must all have run. */
const SETTLE_MS = 5000;

export interface Failure {
  /** What is done, e.g. "kill -9 master 127.0.0.1:7000". */
  label: string;
  /** Flows whose keys live on the node that goes away. */
  flowsOnVictim: string[];
  act(): Promise<void>;
  /** True once a replica serves the victim's data. */
  takenOver(): Promise<boolean>;
}

interface Write {
  flow: string;
  api: string;
  sentAt: number;
  doneAt: number;
  status: number;
  runId?: string;
}

/** Starts a run every `everyMs` through alternating replicas, recording what each call answered. */
function startWriter(apis: ApiClient[], flows: readonly string[], everyMs: number) {
  const writes: Promise<Write>[] = [];
  let seq = 0;
  const timer = setInterval(() => {
    const api = apis[seq % apis.length]!;
    const flow = flows[seq % flows.length]!;
    const sentAt = Date.now();
    const body = { seq: seq++ };
    writes.push(
      api.call('POST', `/api/_flows/${flow}/start`, body, {}, 20_000).then(
        (reply) => ({
          flow,
          api: api.name,
          sentAt,
          doneAt: Date.now(),
          status: reply.status,
          runId: reply.status === 202 ? (reply.body as { runId: string }).runId : undefined,
        }),
        () => ({ flow, api: api.name, sentAt, doneAt: Date.now(), status: 0 }),
      ),
    );
  }, everyMs);
  return {
    async stop(): Promise<Write[]> {
      clearInterval(timer);
      return Promise.all(writes);
    },
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function failoverTest(
  stack: Stack,
  report: Report,
  options: { flows: readonly string[]; schedulesPerFlow: number; observeMs: number },
  prepare: () => Promise<Failure>,
): Promise<void> {
  const apis = stack.apis;
  const specs = options.flows.flatMap((flow) => Array.from({ length: options.schedulesPerFlow }, () => flow));
  const schedules = await pool(specs, 8, async (flow, i) => {
    const api = apis[i % apis.length]!;
    const s = await api.expect(201, 'POST', `/api/_flows/${flow}/schedule`, {
      cron: '* * * * * *',
      metadata: { tags: ['failover'] },
    });
    return { flow, id: s.id as string };
  });
  const firstFire = Math.ceil((Date.now() + 1500) / 1000) * 1000;
  const writer = startWriter(apis, options.flows, 100);
  await sleep(Math.max(0, firstFire - Date.now()) + 4000);

  const failure = await prepare();
  report.note(`${failure.label}; keys on it: ${failure.flowsOnVictim.join(', ')}`);
  // What the API lists now was acknowledged before the failure.
  const listedBefore = new Map<string, RunSummary>();
  for (const flow of options.flows)
    for (const run of await runsSince(apis[0]!, flow, firstFire - 1000)) listedBefore.set(run.id, run);
  const killedAt = Date.now();
  await failure.act();
  const promotedAt = await waitFor(
    'a replica to take over',
    async () => ((await failure.takenOver()) ? Date.now() : undefined),
    60_000,
    100,
  );

  const apiBackAt = await waitFor(
    'every API replica to answer /api/health with 200',
    async () =>
      (await Promise.all(apis.map((a) => a.call('GET', '/api/health', undefined, {}, 3000)))).every(
        (r) => r.status === 200,
      )
        ? Date.now()
        : undefined,
    60_000,
    200,
  );
  const workersBackAt = await waitFor(
    'a heartbeat from every worker after the takeover',
    async () => {
      const flows = (await apis[0]!.get('/api/_flows')) as {
        workers: { pid: number; live: boolean; heartbeatAt: number }[];
      }[];
      const beats = new Map(flows.flatMap((f) => f.workers.map((w) => [w.pid, w] as const)));
      return stack.workers.every((w) => {
        const beat = beats.get(w.proc.pid);
        return beat?.live && beat.heartbeatAt > promotedAt;
      })
        ? Date.now()
        : undefined;
    },
    60_000,
    200,
  );
  const end = Math.max(promotedAt + options.observeMs, Date.now() + 2000);
  await sleep(end - Date.now());
  const writes = await writer.stop();
  const to = Math.floor((Date.now() - 2000) / 1000) * 1000;
  await sleep(2000);
  await pool(schedules, 8, async ({ flow, id }, i) => {
    await waitFor(
      `schedule ${id} to be deleted`,
      async () => {
        const reply = await apis[i % apis.length]!.call('DELETE', `/api/_flows/${flow}/schedules/${id}`);
        return reply.status === 200 || reply.status === 404 ? true : undefined;
      },
      30_000,
      500,
    );
  });

  // Fires: before the failure, during the outage, after it settled.
  const runs = (
    await Promise.all(options.flows.map((flow) => runsSince(apis[1] ?? apis[0]!, flow, firstFire - 60_000)))
  ).flat();
  const flowOf = new Map(schedules.map((s) => [s.id, s.flow]));
  const ids = schedules.map((s) => s.id);
  const before = countFires(runs, ids, firstFire, killedAt);
  const outage = countFires(runs, ids, killedAt, promotedAt + SETTLE_MS);
  const after = countFires(runs, ids, promotedAt + SETTLE_MS, to);
  const outageByFlow = new Map<string, number>();
  for (const m of outage.missed) {
    const flow = flowOf.get(m.scheduleId) ?? '?';
    outageByFlow.set(flow, (outageByFlow.get(flow) ?? 0) + 1);
  }
  const onVictim = (flow: string) => failure.flowsOnVictim.includes(flow);
  const missedElsewhere = [...outageByFlow]
    .filter(([flow]) => !onVictim(flow))
    .reduce((n, [, c]) => n + c, 0);

  // The API's writes.
  const acked = writes.filter((w) => w.status === 202);
  const failed = writes.filter((w) => w.status !== 202);
  const failedSpan =
    failed.length > 0
      ? `${seconds(Math.min(...failed.map((w) => w.sentAt)) - killedAt)} to ${seconds(Math.max(...failed.map((w) => w.sentAt)) - killedAt)} after the kill`
      : '';
  const statuses = new Map<number, number>();
  for (const w of failed) statuses.set(w.status, (statuses.get(w.status) ?? 0) + 1);
  const existing = new Set(runs.map((r) => r.id));
  const lost: Write[] = [];
  await pool(acked, 16, async (w) => {
    if (existing.has(w.runId!)) return;
    const reply = await apis[0]!.call('GET', `/api/_flows/${w.flow}/runs/${w.runId}`);
    if (reply.status === 404) lost.push(w);
  });
  const lostListed = [...listedBefore.values()].filter((r) => !existing.has(r.id));

  report.note(`replica took over ${seconds(promotedAt - killedAt)} after the failure`);
  report.note(
    `API starts: ${writes.length} sent, ${acked.length} acknowledged, ${failed.length} refused (${[...statuses].map(([s, n]) => `${s === 0 ? 'timeout' : s} ×${n}`).join(', ') || 'none'}) ${failedSpan}`,
  );
  const slowest = Math.max(0, ...acked.map((w) => w.doneAt - w.sentAt));
  report.note(
    `slowest acknowledged start took ${seconds(slowest)} (commands wait out the failover before giving up)`,
  );
  report.note(
    `API healthy again ${seconds(apiBackAt - killedAt)} after the failure; every worker's heartbeat back after ${seconds(workersBackAt - killedAt)}`,
  );
  report.note(
    `fires before: ${before.fired}/${before.expected}; during the outage: ${outage.fired}/${outage.expected} (skipped: ${[...outageByFlow].map(([f, n]) => `${f} ${n}`).join(', ') || 'none'}); after: ${after.fired}/${after.expected}`,
  );
  report.note(
    `lost: ${lost.length} of ${acked.length} acknowledged API starts${lost.length ? ` (acknowledged from ${seconds(Math.min(...lost.map((l) => l.doneAt)) - killedAt)} to ${seconds(Math.max(...lost.map((l) => l.doneAt)) - killedAt)} after the failure)` : ''}; ${lostListed.length} of ${listedBefore.size} runs listed just before the failure`,
  );

  await report.check(
    `${failure.label}: a replica takes over`,
    async () => `after ${seconds(promotedAt - killedAt)}`,
  );
  await report.check(
    'API replicas and workers reconnect by themselves',
    async () =>
      `API after ${seconds(apiBackAt - killedAt)}, workers after ${seconds(workersBackAt - killedAt)}`,
  );
  await report.check('schedules keep firing after the takeover', async () => {
    if (after.expected === 0) throw new Error('the observation window after the takeover is empty');
    if (after.missed.length > 0)
      throw new Error(`${after.missed.length} of ${after.expected} fires after the takeover have no run`);
    const unfinished = after.runs.filter((r) => r.status !== 'completed');
    if (unfinished.length > 0)
      throw new Error(`${unfinished.length} runs after the takeover did not complete`);
    return `${after.fired} of ${after.expected} fires ran and completed`;
  });
  if (stack.topology.kind === 'cluster') {
    await report.check('flows on the other masters keep firing during the failover', async () => {
      if (missedElsewhere > 0)
        throw new Error(`${missedElsewhere} fires skipped on flows whose master stayed up`);
      return undefined;
    });
  }
  await report.check('no duplicate runs across the failover', async () => {
    const duplicates = before.duplicates + outage.duplicates + after.duplicates;
    if (duplicates > 0) throw new Error(`${duplicates} fires started two runs`);
    return undefined;
  });
  await report.check(
    `nothing acknowledged outside the failover (from ${REPLICATION_WINDOW_MS} ms before the failure to ${REPLICATION_WINDOW_MS} ms after the takeover) is lost`,
    async () => {
      const outside = lost.filter(
        (l) => l.doneAt < killedAt - REPLICATION_WINDOW_MS || l.doneAt > promotedAt + REPLICATION_WINDOW_MS,
      );
      if (outside.length > 0 || lostListed.length > 0)
        throw new Error(
          `${outside.length} acknowledged starts and ${lostListed.length} runs listed before the failure are gone`,
        );
      return `${acked.length} acknowledged starts and ${listedBefore.size} listed runs checked; ${lost.length} lost inside the failover window`;
    },
  );
}
