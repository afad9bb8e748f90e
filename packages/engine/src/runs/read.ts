import type {
  ErrorInfo,
  ListRunsQuery,
  Run,
  RunList,
  RunStatus,
  RunSummary,
  StepCounts,
  StepState,
  StepStatus,
} from '@flowdeck/types';
import type { EngineContext } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import { RUN_ID_PATTERN } from '../ids.ts';
import { triggerOf } from '../run-trigger.ts';
import { num, parse } from './codec.ts';
import type { GraphStep } from './create.ts';

/** Reading runs: one run, a page of a flow's runs, a status, and the runs not started yet. */

const SCAN_LIMIT = 2000;

export async function getRun({ redis, keys }: EngineContext, flow: string, runId: string): Promise<Run> {
  if (!RUN_ID_PATTERN.test(runId)) throw runNotFound(flow, runId);
  const hash = await redis.hgetall(keys.run(flow, runId));
  if (!hash.id) throw runNotFound(flow, runId);
  return toRun(hash);
}

/** A page of runs, newest first; a filtered list reads at most SCAN_LIMIT runs per page. */
export async function listRuns(ctx: EngineContext, flow: string, query: ListRunsQuery): Promise<RunList> {
  const filtered = query.status !== undefined || query.scheduleId !== undefined;
  const items: RunSummary[] = [];
  let cursor = query.cursor;
  let scanned = 0;
  let exhausted = false;
  while (items.length < query.limit && !exhausted) {
    const pageSize = filtered ? Math.max(query.limit * 2, 50) : query.limit - items.length;
    const ids = await runIdsBefore(ctx, flow, cursor, pageSize);
    exhausted = ids.length < pageSize;
    const hashes = await readRuns(ctx, flow, ids);
    for (const [i, record] of hashes.entries()) {
      cursor = ids[i]!;
      if (!record.id) continue;
      const summary = toSummary(record);
      if (query.status && summary.status !== query.status) continue;
      if (query.scheduleId && summary.trigger.scheduleId !== query.scheduleId) continue;
      items.push(summary);
      if (items.length === query.limit) {
        exhausted = exhausted && i === hashes.length - 1;
        break;
      }
    }
    scanned += ids.length;
    if (scanned >= SCAN_LIMIT) break;
  }
  return { items, nextCursor: exhausted ? null : (cursor ?? null) };
}

/** Up to `count` run ids older than `cursor` (all of them without one), newest first. */
function runIdsBefore(
  { redis, keys }: EngineContext,
  flow: string,
  cursor: string | undefined,
  count: number,
) {
  return redis.zrange(
    keys.runIndex(flow),
    cursor ? `(${cursor}` : '+',
    '-',
    'BYLEX',
    'REV',
    'LIMIT',
    0,
    count,
  );
}

/** The run hashes of `ids` in one pipeline, in order (empty for a run that is gone). */
export async function readRuns({ redis, keys }: EngineContext, flow: string, ids: string[]) {
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(keys.run(flow, id));
  const hashes = (await pipeline.exec()) ?? [];
  return hashes.map(([, hash]) => hash as Record<string, string>);
}

export async function runStatus({ redis, keys }: EngineContext, flow: string, runId: string) {
  return (await redis.hget(keys.run(flow, runId), 'status')) as RunStatus | null;
}

/** Runs created before `before` that no step has started yet, oldest first. */
export async function unstartedRuns(
  { redis, keys }: EngineContext,
  flow: string,
  before: number,
  limit: number,
): Promise<string[]> {
  return redis.zrangebyscore(keys.unstartedRuns(flow), '-inf', `(${before}`, 'LIMIT', 0, limit);
}

/** Drops runs from the unstarted set (they started, ended or are gone). */
export async function forgetUnstarted({ redis, keys }: EngineContext, flow: string, runIds: string[]) {
  if (runIds.length > 0) await redis.zrem(keys.unstartedRuns(flow), ...runIds);
}

function runNotFound(flow: string, runId: string) {
  return new NotFoundError('run_not_found', `flow '${flow}' has no run '${runId}'`);
}

function toSteps(hash: Record<string, string>): StepState[] {
  const graph = (parse(hash.steps) ?? []) as GraphStep[];
  return graph.map(({ name, needs }) => ({
    name,
    needs,
    status: (hash[`s:${name}`] ?? 'pending') as StepStatus,
    attempts: Number(hash[`a:${name}`] ?? 0),
    startedAt: num(hash[`t0:${name}`]),
    finishedAt: num(hash[`t1:${name}`]),
    output: parse(hash[`o:${name}`]),
    error: (parse(hash[`e:${name}`]) as ErrorInfo | undefined) ?? null,
  }));
}

function countSteps(steps: StepState[]): StepCounts {
  const count = (status: StepStatus) => steps.filter((s) => s.status === status).length;
  return {
    total: steps.length,
    completed: count('completed'),
    failed: count('failed'),
    running: count('running'),
  };
}

export function toSummary(hash: Record<string, string>): RunSummary {
  return {
    id: hash.id!,
    flowName: hash.flow!,
    status: hash.status as RunStatus,
    trigger: triggerOf(hash),
    createdAt: Number(hash.createdAt),
    startedAt: num(hash.startedAt),
    finishedAt: num(hash.finishedAt),
    steps: countSteps(toSteps(hash)),
    error: (parse(hash.error) as ErrorInfo | undefined) ?? null,
  };
}

/** The runs that replay this one (fields `r:<run id>` holding when), oldest first. */
function replaysOf(hash: Record<string, string>): string[] {
  return Object.keys(hash)
    .filter((field) => field.startsWith('r:'))
    .sort((a, b) => Number(hash[a]) - Number(hash[b]))
    .map((field) => field.slice(2));
}

function toRun(hash: Record<string, string>): Run {
  const steps = toSteps(hash);
  const { steps: stepCounts, ...summary } = toSummary(hash);
  const input = parse(hash.input) ?? null;
  return { ...summary, input, output: parse(hash.output), stepCounts, steps, replays: replaysOf(hash) };
}
