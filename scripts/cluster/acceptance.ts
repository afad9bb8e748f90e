// The scheduling acceptance checks, run through both API replicas: every call that writes goes
// to one replica and the read that verifies it to the other, so nothing may live in a
// replica's memory. Together they touch every engine path (runs, events, schedules, registry,
// reconcile) on the topology under test.

import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './http.ts';
import { waitFor } from './processes.ts';
import type { Report } from './report.ts';
import type { Stack } from './stack.ts';

// biome-ignore lint/suspicious/noExplicitAny: API bodies, checked field by field below
type Json = any;

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const schedulePath = (flow: string, id = '') => `/api/_flows/${flow}/schedules${id ? `/${id}` : ''}`;

async function waitForRun(api: ApiClient, flow: string, runId: string, timeoutMs = 30_000): Promise<Json> {
  return waitFor(
    `run ${runId} of ${flow} to finish`,
    async () => {
      const run = await api.get(`/api/_flows/${flow}/runs/${runId}`);
      return ['completed', 'failed', 'canceled'].includes(run.status) ? run : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Occurrences of a schedule (newest first), read through `api`. */
async function occurrences(api: ApiClient, flow: string, id: string): Promise<Json[]> {
  return (await api.get(schedulePath(flow, id))).recent.items;
}

async function startedCount(api: ApiClient, flow: string, id: string): Promise<number> {
  return (await api.get(schedulePath(flow, id))).stats.count;
}

export async function acceptance(stack: Stack, report: Report): Promise<void> {
  const [a, b] = stack.apis as [ApiClient, ApiClient];
  const created: { flow: string; id: string }[] = [];
  const createSchedule = async (api: ApiClient, flow: string, body: Json, status = 201) => {
    const schedule = await api.expect(status, 'POST', `/api/_flows/${flow}/schedule`, body);
    created.push({ flow, id: schedule.id });
    return schedule;
  };

  await report.check('health answers 200 on every API replica', async () => {
    const bodies = await Promise.all(stack.apis.map((api) => api.get('/api/health')));
    for (const body of bodies)
      assert(body.status === 'ok' && body.redis.ok, `health: ${JSON.stringify(body)}`);
    return bodies
      .map((body, i) => `api-${i + 1}: redis ${body.redis.latencyMs} ms, ${body.workers.live} live workers`)
      .join('; ');
  });

  await report.check(
    'each flow lists the workers that host it (FLOWDECK_WORKER_FLOWS), all live',
    async () => {
      const flows = (await b.get('/api/_flows')) as Json[];
      const lines: string[] = [];
      for (const flow of flows) {
        const expected = stack.workers
          .filter((w) => w.flows === undefined || w.flows.includes(flow.name))
          .map((w) => w.proc.pid)
          .sort();
        const hosting = flow.workers
          .filter((w: Json) => w.live)
          .map((w: Json) => w.pid)
          .sort();
        assert(flow.live, `${flow.name} is not marked live`);
        assert(
          JSON.stringify(hosting) === JSON.stringify(expected),
          `${flow.name} is hosted by pids ${hosting}, expected ${expected}`,
        );
        const names = stack.workers
          .filter((w) => hosting.includes(w.proc.pid))
          .map((w) => w.name.replace(/^.*-(worker-\d)$/, '$1'));
        lines.push(`${flow.name}: ${names.join(', ')}`);
      }
      return lines.join('; ');
    },
  );

  await report.check(
    'a run started on one replica is read, and followed live over SSE, on the other',
    async () => {
      const started = await a.expect(202, 'POST', '/api/_flows/example-flow/start', { records: 2 });
      const events = await b.events(
        `/api/_flows/example-flow/runs/${started.runId}/events`,
        (e) => e.type === 'run.completed' || e.type === 'run.failed',
      );
      const types = events.map((e) => e.type);
      assert(types[0] === 'run.started', `first event is ${types[0]}`);
      assert(types.at(-1) === 'run.completed', `stream ended with ${types.at(-1)}`);
      const run = await a.get(`/api/_flows/example-flow/runs/${started.runId}`);
      assert(run.status === 'completed', `run is ${run.status}`);
      assert(
        run.steps.every((s: Json) => s.status === 'completed'),
        'not every step completed',
      );
      return `${events.length} events over SSE from api-2: ${[...new Set(types)].join(', ')}`;
    },
  );

  await report.check('an Idempotency-Key holds across replicas', async () => {
    const key = `cluster-test-${Date.now()}`;
    const first = await a.expect(
      202,
      'POST',
      '/api/_flows/tick-2/start',
      { n: 1 },
      { 'idempotency-key': key },
    );
    const second = await b.expect(
      202,
      'POST',
      '/api/_flows/tick-2/start',
      { n: 1 },
      { 'idempotency-key': key },
    );
    assert(first.created === true && second.created === false, 'the second call created a run');
    assert(first.runId === second.runId, `two runs: ${first.runId} and ${second.runId}`);
    return `both replicas answered run ${first.runId}`;
  });

  await report.check('the write rate limit counts writes of every replica in one counter', async () => {
    const remaining = async (api: ApiClient) => {
      const reply = await api.call('POST', '/api/_flows/tick-3/start', {});
      assert(reply.status === 202, `start answered ${reply.status}`);
      const left = reply.headers.get('ratelimit-remaining');
      assert(left !== null, 'no RateLimit-Remaining header');
      return Number(left);
    };
    const first = await remaining(a);
    const second = await remaining(b);
    const third = await remaining(a);
    assert(second === first - 1 && third === second - 1, `remaining ${first}, ${second}, ${third}`);
    return `remaining ${first} → ${second} (api-2) → ${third} (api-1)`;
  });

  await report.check('retries and failures are recorded step by step (flaky-flow)', async () => {
    const ok = await b.expect(202, 'POST', '/api/_flows/flaky-flow/start', {});
    const bad = await a.expect(202, 'POST', '/api/_flows/flaky-flow/start', { failForGood: true });
    const okRun = await waitForRun(a, 'flaky-flow', ok.runId);
    const badRun = await waitForRun(b, 'flaky-flow', bad.runId);
    assert(okRun.status === 'completed', `flaky run is ${okRun.status}`);
    const unreliable = okRun.steps.find((s: Json) => s.name === 'unreliable');
    assert(unreliable?.attempts === 3, `unreliable took ${unreliable?.attempts} attempts`);
    assert(badRun.status === 'failed', `failing run is ${badRun.status}`);
    const skipped = badRun.steps.filter((s: Json) => s.status === 'skipped').map((s: Json) => s.name);
    const events = (await b.get(`/api/_flows/flaky-flow/runs/${ok.runId}/events`)).items.map(
      (e: Json) => e.type,
    );
    assert(events.filter((t: string) => t === 'step.retry').length === 2, 'expected two step.retry events');
    return `completed on attempt 3; the failing run failed with ${skipped.join(', ') || 'no'} step(s) skipped`;
  });

  await report.check('runs list pages with a cursor and filters by status on either replica', async () => {
    const page1 = await a.get('/api/_flows/flaky-flow/runs?limit=1');
    assert(page1.items.length === 1 && page1.nextCursor, 'first page');
    const page2 = await b.get(`/api/_flows/flaky-flow/runs?limit=1&cursor=${page1.nextCursor}`);
    assert(page2.items.length === 1 && page2.items[0].id !== page1.items[0].id, 'second page');
    const failed = await b.get('/api/_flows/flaky-flow/runs?status=failed');
    assert(
      failed.items.length >= 1 && failed.items.every((r: Json) => r.status === 'failed'),
      'status filter',
    );
    return undefined;
  });

  let cronId = '';
  await report.check('a schedule created on one replica is listed and read on the other', async () => {
    const schedule = await createSchedule(a, 'tick-1', {
      cron: '* * * * * *',
      input: { from: 'acceptance' },
      metadata: { description: 'every second', tags: ['acceptance'] },
    });
    cronId = schedule.id;
    const list = (await b.get(schedulePath('tick-1'))) as Json[];
    assert(
      list.some((s) => s.id === cronId),
      'not in the flow listing on api-2',
    );
    const all = (await b.get('/api/_flows/schedules?tag=acceptance')) as Json[];
    assert(
      all.some((s) => s.id === cronId),
      'not in the listing across flows on api-2',
    );
    const detail = await a.get(schedulePath('tick-1', cronId));
    assert(detail.status === 'active' && detail.upcoming.length > 0, 'detail without upcoming fires');
    return `schedule ${cronId}; next run ${new Date(detail.nextRun).toISOString()}`;
  });

  await report.check('a cron schedule fires into tracked runs', async () => {
    const fired = await waitFor(
      'a started occurrence',
      async () => (await occurrences(b, 'tick-1', cronId)).find((o) => o.outcome === 'started' && o.runId),
      15_000,
      200,
    );
    const run = await waitForRun(a, 'tick-1', fired.runId);
    assert(run.status === 'completed', `run is ${run.status}`);
    assert(run.trigger.type === 'schedule' && run.trigger.scheduleId === cronId, 'run trigger');
    assert(run.trigger.scheduledFor === fired.scheduledFor, 'run scheduledFor');
    assert(run.input?.from === 'acceptance', 'run input');
    const scheduled = await b.get(`/api/_flows/tick-1/runs?scheduleId=${cronId}`);
    assert(
      scheduled.items.some((r: Json) => r.id === run.id),
      'run not listed by scheduleId',
    );
    return `run ${run.id} for ${new Date(fired.scheduledFor).toISOString()}, ${run.createdAt - fired.scheduledFor} ms after its planned time`;
  });

  await report.check('a paused schedule does not fire; resumed, it fires again', async () => {
    const paused = await b.expect(200, 'POST', `${schedulePath('tick-1', cronId)}/pause`, {
      reason: 'acceptance',
    });
    assert(paused.status === 'paused', `status ${paused.status}`);
    await sleep(1500); // a fire already picked up may still finish
    const before = await startedCount(a, 'tick-1', cronId);
    await sleep(2500);
    const after = await startedCount(b, 'tick-1', cronId);
    assert(after === before, `fired ${after - before} times while paused`);
    const resumed = await a.expect(200, 'POST', `${schedulePath('tick-1', cronId)}/resume`, {});
    assert(resumed.status === 'active', `status ${resumed.status}`);
    await waitFor(
      'a fire after resume',
      async () => ((await startedCount(b, 'tick-1', cronId)) > after ? true : undefined),
      15_000,
      200,
    );
    return `${before} runs before the pause, none while paused, more after resume`;
  });

  await report.check('an edit replaces the schedule in place and changes what fires', async () => {
    const before = await a.get(schedulePath('tick-1', cronId));
    const edited = await b.expect(200, 'PATCH', schedulePath('tick-1', cronId), {
      cron: '*/2 * * * * *',
      input: { from: 'edited' },
      metadata: { description: 'every other second' },
    });
    assert(edited.id === cronId && edited.version === before.version + 1, 'id or version');
    const read = await a.get(schedulePath('tick-1', cronId));
    assert(read.schedule.cron === '*/2 * * * * *', `cron is ${read.schedule.cron} on api-1`);
    const editedAt = Date.now();
    const fired = await waitFor(
      'a fire after the edit',
      async () =>
        (await occurrences(a, 'tick-1', cronId)).find(
          (o) => o.outcome === 'started' && o.scheduledFor > editedAt && o.runId,
        ),
      15_000,
      200,
    );
    assert(fired.scheduledFor % 2000 === 0, `fired at an odd second: ${fired.scheduledFor}`);
    const run = await b.get(`/api/_flows/tick-1/runs/${fired.runId}`);
    assert(run.input?.from === 'edited', `run input ${JSON.stringify(run.input)}`);
    return `version ${edited.version}; next fire on an even second with the new input`;
  });

  await report.check('run now fires once through the marker path', async () => {
    const { occurrence } = await a.expect(202, 'POST', `${schedulePath('tick-1', cronId)}/trigger`, {});
    assert(occurrence.manual === true && occurrence.outcome === 'queued', JSON.stringify(occurrence));
    // The answer comes at once; the other replica's view of the history names the run once it started.
    const fired = await waitFor(
      'the fire to start its run',
      async () =>
        (await b.get(schedulePath('tick-1', cronId))).recent.items.find(
          (o: Json) => o.scheduledFor === occurrence.scheduledFor && o.runId,
        ),
      20_000,
      100,
    );
    assert(fired.outcome === 'started', JSON.stringify(fired));
    const run = await b.get(`/api/_flows/tick-1/runs/${fired.runId}`);
    assert(run.trigger.scheduleId === cronId, 'run trigger');
    return `run ${run.id}`;
  });

  await report.check('one-time (delay, at) and interval schedules fire', async () => {
    const once = await createSchedule(b, 'tick-2', { delay: 1000, input: { kind: 'delay' } });
    const at = await createSchedule(a, 'tick-3', { at: new Date(Date.now() + 1500).toISOString() });
    const every = await createSchedule(a, 'tick-4', { every: 1000 });
    const done = await waitFor(
      'the one-time schedules to complete',
      async () => {
        const [x, y] = await Promise.all([
          a.get(schedulePath('tick-2', once.id)),
          b.get(schedulePath('tick-3', at.id)),
        ]);
        return x.status === 'completed' && y.status === 'completed' ? [x, y] : undefined;
      },
      20_000,
      200,
    );
    assert(
      done.every((s: Json) => s.stats.count === 1),
      'a one-time schedule did not run exactly once',
    );
    await waitFor(
      'two fires of the interval schedule',
      async () => ((await startedCount(b, 'tick-4', every.id)) >= 2 ? true : undefined),
      15_000,
      200,
    );
    return 'delay and at ran once each and completed; every: 1000 fired repeatedly';
  });

  await report.check('preview computes the next fire times', async () => {
    const preview = await b.expect(200, 'POST', '/api/_flows/tick-5/schedule/preview?count=3', {
      cron: '0 9 * * 1-5',
      tz: 'Europe/Berlin',
    });
    assert(preview.nextRuns.length === 3, `${preview.nextRuns.length} next runs`);
    return preview.description;
  });

  await report.check('a schedule deleted on one replica is gone on the other and stops firing', async () => {
    const reply = await b.expect(200, 'DELETE', schedulePath('tick-1', cronId));
    assert(reply.success === true, JSON.stringify(reply));
    const deletedAt = Date.now();
    const gone = await a.call('GET', schedulePath('tick-1', cronId));
    assert(gone.status === 404 && gone.body.code === 'schedule_not_found', `GET answered ${gone.status}`);
    await sleep(3000);
    const runs = await a.get(`/api/_flows/tick-1/runs?scheduleId=${cronId}&limit=200`);
    const late = runs.items.filter((r: Json) => r.trigger.scheduledFor > deletedAt + 1000);
    assert(late.length === 0, `${late.length} runs planned after the delete`);
    created.splice(
      created.findIndex((c) => c.id === cronId),
      1,
    );
    return undefined;
  });

  await report.check(
    'a flow without a live worker is marked; its schedule fires when a worker comes back',
    async () => {
      // tick-5 is hosted by worker-1 and worker-3 only.
      const hosts = stack.workers.filter((w) => w.flows === undefined || w.flows.includes('tick-5'));
      let schedule: Json;
      try {
        const codes = await Promise.all(hosts.map((w) => w.proc.stop()));
        assert(
          codes.every((c) => c === 0),
          `workers exited with ${codes}`,
        );
        const flow = await a.get('/api/_flows/tick-5');
        assert(flow.live === false, 'tick-5 still marked live');
        schedule = await createSchedule(b, 'tick-5', { delay: 500 });
        await sleep(3000);
        assert((await occurrences(a, 'tick-5', schedule.id)).length === 0, 'fired without a worker');
      } finally {
        await Promise.all(hosts.map((slot) => stack.restartWorker(slot)));
      }
      const fired = await waitFor(
        'the waiting fire to run',
        async () => (await occurrences(b, 'tick-5', schedule.id)).find((o) => o.outcome === 'started'),
        30_000,
        200,
      );
      const lateBy = fired.firedAt - fired.scheduledFor;
      assert(lateBy >= 2500, `fired only ${lateBy} ms late`);
      return `stopped ${hosts.map((h) => h.name).join(' and ')} (exit 0), tick-5 not live; after they came back (and reconciled) the fire ran ${lateBy} ms late`;
    },
  );

  // Leave nothing firing for the load test.
  for (const { flow, id } of created) await a.expect([200, 404], 'DELETE', schedulePath(flow, id));
}
