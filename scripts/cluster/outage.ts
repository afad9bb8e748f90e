// Every Redis data node stops (a maintenance window, a restart of the whole Redis tier) and
// comes back: meanwhile API requests answer 503 instead of hanging; afterwards the API and
// the workers carry on by themselves, schedules fire again and nothing written before is lost.

import { setTimeout as sleep } from 'node:timers/promises';
import { countFires, pool, runsSince } from './fires.ts';
import type { ApiClient } from './http.ts';
import { waitFor } from './processes.ts';
import type { Report } from './report.ts';
import type { Stack } from './stack.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function outageTest(stack: Stack, report: Report, flows: readonly string[]): Promise<void> {
  const apis = stack.apis;
  const [a, b] = apis as [ApiClient, ApiClient];
  const schedules = await pool([...flows], 4, async (flow) => {
    const s = await a.expect(201, 'POST', `/api/_flows/${flow}/schedule`, { cron: '* * * * * *' });
    return { flow, id: s.id as string };
  });
  await sleep(3000);
  const since = Date.now() - 60_000;
  const before = new Set<string>();
  for (const flow of flows) for (const run of await runsSince(a, flow, since)) before.add(run.id);

  const nodes = stack.topology.nodes.filter((n) => n.proc.alive);
  const stoppedAt = Date.now();
  await Promise.all(nodes.map((n) => n.proc.stop()));
  report.note(`stopped ${nodes.length} Redis nodes (SIGTERM: each writes its append-only file and exits)`);

  await report.check('while no Redis node runs, every API request answers 503 (none hangs)', async () => {
    const replies: string[] = [];
    for (const api of apis) {
      for (const [method, path] of [
        ['GET', '/api/health'],
        ['GET', '/api/_flows'],
        ['POST', '/api/_flows/tick-1/start'],
      ] as const) {
        const started = Date.now();
        const reply = await api
          .call(method, path, method === 'POST' ? {} : undefined, {}, 10_000)
          .catch(() => null);
        if (reply?.status !== 503)
          throw new Error(`${api.name} ${method} ${path} answered ${reply?.status ?? 'nothing within 10 s'}`);
        replies.push(`${Date.now() - started} ms`);
      }
    }
    return `6 requests answered 503 in ${replies.join(', ')}`;
  });

  const restartedAt = Date.now();
  await Promise.all(nodes.map((n) => n.restart()));
  const healthyAt = await waitFor(
    'every API replica to answer /api/health with 200',
    async () =>
      (await Promise.all(apis.map((api) => api.call('GET', '/api/health', undefined, {}, 3000)))).every(
        (r) => r.status === 200,
      )
        ? Date.now()
        : undefined,
    120_000,
    200,
  );
  const workersAt = await waitFor(
    'a heartbeat from every worker after the restart',
    async () => {
      const list = (await b.get('/api/_flows')) as {
        workers: { pid: number; live: boolean; heartbeatAt: number }[];
      }[];
      const beats = new Map(list.flatMap((f) => f.workers.map((w) => [w.pid, w] as const)));
      return stack.workers.every((w) => {
        const beat = beats.get(w.proc.pid);
        return beat?.live && beat.heartbeatAt > healthyAt;
      })
        ? Date.now()
        : undefined;
    },
    60_000,
    200,
  );
  report.note(
    `Redis down for ${seconds(restartedAt - stoppedAt)}; API healthy ${seconds(healthyAt - restartedAt)} after the restart began, every worker's heartbeat back after ${seconds(workersAt - restartedAt)}`,
  );
  const settled = healthyAt + 3000;
  await sleep(Math.max(0, settled + 6000 - Date.now()));
  const end = Math.floor(Date.now() / 1000) * 1000 - 1000;
  await pool(schedules, 4, ({ flow, id }) =>
    a.expect([200, 404], 'DELETE', `/api/_flows/${flow}/schedules/${id}`),
  );

  const after = (await Promise.all(flows.map((flow) => runsSince(b, flow, since)))).flat();
  const fires = countFires(
    after,
    schedules.map((s) => s.id),
    settled,
    end,
  );
  const existing = new Set(after.map((r) => r.id));
  const lost = [...before].filter((id) => !existing.has(id));

  await report.check(
    'after Redis is back, the API and workers carry on by themselves and schedules fire again',
    async () => {
      if (fires.expected === 0) throw new Error('no fires planned after the restart');
      if (fires.missed.length > 0)
        throw new Error(`${fires.missed.length} of ${fires.expected} fires after the restart have no run`);
      if (fires.duplicates > 0) throw new Error(`${fires.duplicates} fires started two runs`);
      const started = await b.expect(202, 'POST', '/api/_flows/example-flow/start', { records: 1 });
      await waitFor(
        'a run started after the restart to complete',
        async () =>
          (await a.get(`/api/_flows/example-flow/runs/${started.runId}`)).status === 'completed'
            ? true
            : undefined,
        30_000,
        200,
      );
      return `${fires.fired} of ${fires.expected} fires ran; a new example-flow run completed`;
    },
  );
  await report.check('nothing written before Redis stopped is lost', async () => {
    if (lost.length > 0) throw new Error(`${lost.length} of ${before.size} runs are gone`);
    return `${before.size} runs checked`;
  });
}
