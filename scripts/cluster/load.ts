// The load check: many every-second schedules over several flows for a fixed window, then every
// planned fire is looked up: exactly one run each, none missing, none twice.

import { setTimeout as sleep } from 'node:timers/promises';
import { countFires, percentiles, pool, runsSince } from './fires.ts';
import type { ApiClient } from './http.ts';
import type { Report } from './report.ts';
import { keySlot } from './slots.ts';
import type { Stack } from './stack.ts';
import { cli } from './topology.ts';

export interface LoadSize {
  flows: readonly string[];
  schedulesPerFlow: number;
  seconds: number;
}

/** Memory in use and client connections of one Redis node, from INFO. */
async function usage(port: number): Promise<string> {
  const info = await cli(port, 'INFO');
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
  return `${field('used_memory_human')} used, ${field('connected_clients')} clients`;
}

const ALL_FLOWS = [
  'tick-1',
  'tick-2',
  'tick-3',
  'tick-4',
  'tick-5',
  'example-flow',
  'flaky-flow',
  'cleanup-flow',
];

/** Which master holds each flow's keys (and the registry's), with the key count of every master. */
export async function slotMap(stack: Stack): Promise<{ lines: string[]; mastersWithTicks: number }> {
  const topology = stack.topology;
  if (topology.kind === 'sentinel') {
    const master = await topology.currentMaster();
    const keys = await cli(master, 'DBSIZE');
    return {
      lines: [
        `master 127.0.0.1:${master}: every flow and the registry, ${keys} keys, ${await usage(master)}; one replica, three sentinels`,
      ],
      mastersWithTicks: 1,
    };
  }
  const view = await topology.view();
  const masters = view.filter(
    (n) => n.flags.includes('master') && !n.flags.includes('fail') && n.slots.length > 0,
  );
  // Our slot function must agree with Redis's own.
  const probe = '{fd:tick-1}:runs';
  const redisSlot = Number(await cli(masters[0]!.port, 'CLUSTER', 'KEYSLOT', probe));
  if (redisSlot !== keySlot(probe))
    throw new Error(`slot of ${probe}: Redis says ${redisSlot}, we say ${keySlot(probe)}`);
  const owner = (slot: number) =>
    masters.find((m) => m.slots.some(([from, to]) => slot >= from && slot <= to));
  const tags = [
    { name: 'registry {fd}', slot: keySlot('{fd}') },
    ...ALL_FLOWS.map((f) => ({ name: f, slot: keySlot(`{fd:${f}}`) })),
  ];
  const lines: string[] = [];
  const withTicks = new Set<number>();
  for (const master of masters) {
    const keys = await cli(master.port, 'DBSIZE');
    const replicas = view
      .filter((n) => n.masterId === master.id && !n.flags.includes('fail'))
      .map((n) => n.port);
    const here = tags.filter((t) => owner(t.slot) === master);
    for (const t of here) if (t.name.startsWith('tick-')) withTicks.add(master.port);
    lines.push(
      `master 127.0.0.1:${master.port} slots ${master.slots.map(([f, t]) => `${f}-${t}`).join(',')} · replica ${replicas.join(',') || 'none'} · ${keys} keys, ${await usage(master.port)} · ${here.map((t) => `${t.name} (slot ${t.slot})`).join(', ')}`,
    );
  }
  return { lines, mastersWithTicks: withTicks.size };
}

export async function loadTest(stack: Stack, report: Report, size: LoadSize): Promise<void> {
  const apis = stack.apis;
  const total = size.flows.length * size.schedulesPerFlow;
  report.note(
    `${size.flows.length} flows × ${size.schedulesPerFlow} schedules, cron '* * * * * *', for ${size.seconds} s`,
  );

  const specs = size.flows.flatMap((flow) =>
    Array.from({ length: size.schedulesPerFlow }, (_, i) => ({ flow, i })),
  );
  const createStarted = Date.now();
  const created = await pool(specs, 16, async ({ flow, i }, index) => {
    const api = apis[index % apis.length] as ApiClient;
    const schedule = await api.expect(201, 'POST', `/api/_flows/${flow}/schedule`, {
      cron: '* * * * * *',
      input: { i },
      metadata: { tags: ['load'] },
    });
    return { flow, id: schedule.id as string };
  });
  report.note(
    `created ${total} schedules through ${apis.length} API replicas in ${Date.now() - createStarted} ms`,
  );

  const from = Math.ceil((Date.now() + 2000) / 1000) * 1000;
  const to = from + size.seconds * 1000;
  while (Date.now() < to) {
    await sleep(Math.min(15_000, to - Date.now()));
    const left = Math.max(0, Math.round((to - Date.now()) / 1000));
    if (left > 0) report.note(`… ${left} s of the window left`);
  }
  // Fires planned inside the window but picked up late still count: give them a moment.
  await sleep(4000);
  const deleteStarted = Date.now();
  await pool(created, 16, ({ flow, id }, index) =>
    (apis[index % apis.length] as ApiClient).expect(200, 'DELETE', `/api/_flows/${flow}/schedules/${id}`),
  );
  report.note(`deleted them in ${Date.now() - deleteStarted} ms`);

  const runs = (
    await Promise.all(size.flows.map((flow) => runsSince(apis[1] ?? apis[0]!, flow, from - 60_000)))
  ).flat();
  const count = countFires(
    runs,
    created.map((c) => c.id),
    from,
    to,
  );
  const lags = count.runs.map((r) => r.createdAt - (r.trigger.scheduledFor ?? r.createdAt));
  const lag = percentiles(lags);
  report.note(
    `planned fires ${count.expected}, runs ${count.runs.length}, distinct fires ${count.fired} (${Math.round(count.runs.length / size.seconds)} runs/s)`,
  );
  report.note(
    `fire → run created: p50 ${lag.p50} ms, p95 ${lag.p95} ms, p99 ${lag.p99} ms, max ${lag.max} ms`,
  );

  await report.check('zero duplicate runs', async () => {
    if (count.duplicates > 0) throw new Error(`${count.duplicates} fires started more than one run`);
    return `${count.runs.length} runs for ${count.fired} fires`;
  });
  await report.check('zero missed fires', async () => {
    if (count.missed.length > 0) {
      const byFlow = new Map<string, number>();
      const flowOf = new Map(created.map((c) => [c.id, c.flow]));
      for (const m of count.missed)
        byFlow.set(flowOf.get(m.scheduleId) ?? '?', (byFlow.get(flowOf.get(m.scheduleId) ?? '?') ?? 0) + 1);
      const sample = count.missed.slice(0, 3).map((m) => `${m.scheduleId}@${new Date(m.at).toISOString()}`);
      throw new Error(
        `${count.missed.length} of ${count.expected} planned fires have no run (${[...byFlow].map(([f, n]) => `${f}: ${n}`).join(', ')}); e.g. ${sample.join(', ')}`,
      );
    }
    return `${count.expected} of ${count.expected} planned fires ran`;
  });
  await report.check('every run of the window completed', async () => {
    const unfinished = count.runs.filter((r) => r.status !== 'completed');
    if (unfinished.length > 0) {
      const statuses = new Map<string, number>();
      for (const r of unfinished) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      throw new Error(
        `${unfinished.length} runs not completed: ${[...statuses].map(([s, n]) => `${s} ${n}`).join(', ')}`,
      );
    }
    return undefined;
  });

  const map = await slotMap(stack);
  for (const line of map.lines) report.note(line);
  if (stack.topology.kind === 'cluster') {
    const masters = (await stack.topology.masters()).length;
    await report.check(`the flows' keys are spread over all ${masters} masters`, async () => {
      if (map.mastersWithTicks !== masters)
        throw new Error(`the tick flows live on ${map.mastersWithTicks} of ${masters} masters`);
      return undefined;
    });
  }
}
