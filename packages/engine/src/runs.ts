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
  Trigger,
} from '@flowdeck/types';
import type { EngineContext } from './context.ts';
import { NotFoundError } from './errors.ts';
import { newRunId, RUN_ID_PATTERN, runIdFloor } from './ids.ts';
import type { LuaScript } from './lua.ts';
import { createRunScript, stepCompletedScript, stepFailedScript, stepStartedScript } from './run-scripts.ts';
import { triggerFields, triggerOf } from './run-trigger.ts';

/** The run store: records, the per-flow run index and the state transitions of a run. */

/**
 * A write made beside a new run by the script that creates it, in the same call (a schedule's fire
 * records its occurrence this way). `script` is a create script of lua/ that takes the run's KEYS
 * and ARGV first (see lua/create-run.lua) and `keys` and `args` after them; it may refuse, writing
 * nothing (`refused`), and answers whether it wrote (`recorded`).
 */
export interface CreateWith {
  script: LuaScript;
  keys: string[];
  args: string[];
}

/** `base` and `addition` together: `addition`'s keys and args follow `base`'s, and its script
 * (one that takes both) makes them. */
export function extendWrite(base: CreateWith, addition: CreateWith): CreateWith {
  return {
    script: addition.script,
    keys: [...base.keys, ...addition.keys],
    args: [...base.args, ...addition.args],
  };
}

export interface GraphStep {
  name: string;
  needs: string[];
}

export interface NewRun {
  /** A write made with the run (or with the run its idempotency key names) by its own script. */
  createWith?: CreateWith;
  /** Chosen by a caller that enqueues the run's steps in the same round trip (see start-flow.ts). */
  runId?: string;
  flowName: string;
  input: unknown;
  trigger: Trigger;
  steps: GraphStep[];
  idempotencyKey?: string;
  /** How long the idempotency key is kept; the run retention age when not given. */
  idempotencyTtlMs?: number;
  /** An entry step marked started with the run: its caller runs it right away. */
  heldStep?: string;
  /** The version of the manifest the input was checked against; the create fails with `stale` if
   * a newer one was published. Omitted: not checked. */
  manifestVersion?: string;
}

/** `stale`: a newer manifest was published; `refused`: `createWith`'s script refused, nothing
 * written; `recorded`: `createWith`'s write was made. */
type CreateResult =
  | { stale: true }
  | { stale: false; refused: true }
  | { stale: false; refused: false; runId: string; created: boolean; recorded: boolean };

type EventBody = Record<string, unknown> & { type: string };
const json = (value: unknown) => JSON.stringify(value ?? null);
const event = (body: EventBody) => JSON.stringify({ at: Date.now(), ...body });
const SCAN_LIMIT = 2000;

export function createRunStore(ctx: EngineContext) {
  const { redis, keys } = ctx;
  const runKeys = (flow: string, runId: string) => [keys.run(flow, runId), keys.runEvents(flow, runId)];

  async function create(run: NewRun): Promise<CreateResult> {
    const runId = run.runId ?? newRunId();
    const createdAt = Date.now();
    const flow = run.flowName;
    const { createWith } = run;
    const script = createWith?.script ?? createRunScript;
    // KEYS and ARGV as lua/create-run.lua's header lists them, then the extra write's.
    const result = (await script(
      redis,
      [
        keys.run(flow, runId),
        keys.runIndex(flow),
        keys.runEvents(flow, runId),
        keys.idempotency(flow, run.idempotencyKey ?? '-'),
        keys.manifestVersion(flow),
        keys.unstartedRuns(flow),
        ...(createWith?.keys ?? []),
      ],
      [
        runId,
        createdAt,
        flow,
        json(run.input),
        json(run.trigger),
        json(run.steps),
        run.idempotencyKey ? Math.ceil(run.idempotencyTtlMs ?? ctx.retention.maxAgeMs) : '',
        run.manifestVersion ?? '',
        run.heldStep ?? '',
        ctx.retention.maxRuns,
        runIdFloor(createdAt - ctx.retention.maxAgeMs),
        ...triggerFields(run.trigger),
        ...(createWith?.args ?? []),
      ],
    )) as [number, string, number];
    if (result[0] === -1) return { stale: true };
    if (result[0] === -2) return { stale: false, refused: true };
    return {
      stale: false,
      refused: false,
      runId: result[1],
      created: result[0] === 1,
      recorded: result[2] === 1,
    };
  }

  /**
   * Marks the step running and reads what its handler needs in the same round trip. `run`: run
   * the handler; `completed`: the step is done but the run goes on; `done`: nothing to do.
   */
  async function stepStarted(
    flow: string,
    runId: string,
    step: string,
    attempt: number,
    needs: string[],
  ): Promise<
    | { state: 'run'; input: unknown; outputs: Record<string, unknown> }
    | { state: 'completed' }
    | { state: 'done' }
  > {
    const [code, input, ...values] = (await stepStartedScript(
      redis,
      [...runKeys(flow, runId), keys.unstartedRuns(flow)],
      [step, attempt, Date.now(), runId, ...needs],
    )) as [number, string | null, ...(string | null)[]];
    if (code === 2) return { state: 'completed' };
    if (code !== 1) return { state: 'done' };
    const outputs: Record<string, unknown> = {};
    needs.forEach((need, i) => {
      outputs[need] = parse(values[i] ?? null);
    });
    return { state: 'run', input: parse(input), outputs };
  }

  /**
   * Records the step's output (once) and, after the last step, completes the run with the
   * outputs of `sinks`, all in one script. Returns the dependants now ready to run. `startedAt`:
   * the step started then and its start was not recorded (see step-runner.ts).
   */
  async function stepCompleted(
    flow: string,
    runId: string,
    step: string,
    attempt: number,
    output: unknown,
    graph: { dependants: string[]; sinks: string[] },
    startedAt?: number,
  ) {
    const { dependants, sinks } = graph;
    const scriptKeys = [...runKeys(flow, runId), keys.unstartedRuns(flow)];
    const [state, remaining, completed, ...ready] = (await stepCompletedScript(redis, scriptKeys, [
      step,
      attempt,
      Date.now(),
      json(output),
      startedAt ?? '',
      runId,
      JSON.stringify(sinks),
      ...dependants,
    ])) as [string, number, number, ...string[]];
    return { recorded: state !== 'ignored', remaining, runCompleted: completed === 1, ready };
  }

  async function stepFailed(
    flow: string,
    runId: string,
    failure: {
      step: string;
      attempt: number;
      error: ErrorInfo;
      final: boolean;
      retryAt?: number;
      allSteps: string[];
    },
  ) {
    const { step, attempt, error, final } = failure;
    const stepEvent = final
      ? event({ type: 'step.failed', step, attempt, error })
      : event({ type: 'step.retry', step, attempt, error, retryAt: failure.retryAt });
    await stepFailedScript(redis, runKeys(flow, runId), [
      step,
      Date.now(),
      json({ ...error, step }),
      final ? '1' : '0',
      stepEvent,
      event({ type: 'run.failed', step, error: { ...error, step } }),
      event({ type: 'step.skipped', step: '__STEP__' }),
      ...failure.allSteps,
    ]);
  }

  async function get(flow: string, runId: string): Promise<Run> {
    if (!RUN_ID_PATTERN.test(runId)) throw runNotFound(flow, runId);
    const hash = await redis.hgetall(keys.run(flow, runId));
    if (!hash.id) throw runNotFound(flow, runId);
    return toRun(hash);
  }

  async function list(flow: string, query: ListRunsQuery): Promise<RunList> {
    const filtered = query.status !== undefined || query.scheduleId !== undefined;
    const items: RunSummary[] = [];
    let cursor = query.cursor;
    let scanned = 0;
    let exhausted = false;
    while (items.length < query.limit && !exhausted) {
      const pageSize = filtered ? Math.max(query.limit * 2, 50) : query.limit - items.length;
      const ids = await redis.zrange(
        keys.runIndex(flow),
        cursor ? `(${cursor}` : '+',
        '-',
        'BYLEX',
        'REV',
        'LIMIT',
        0,
        pageSize,
      );
      exhausted = ids.length < pageSize;
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(keys.run(flow, id));
      const hashes = (await pipeline.exec()) ?? [];
      for (const [i, [, hash]] of hashes.entries()) {
        const id = ids[i]!;
        cursor = id;
        const record = hash as Record<string, string>;
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

  /** Whether a create sent now runs before any command sent after it (see LuaScript.isLoadedOn). */
  const createRunsFirst = () => createRunScript.isLoadedOn(redis);

  async function status(flow: string, runId: string): Promise<RunStatus | null> {
    return (await redis.hget(keys.run(flow, runId), 'status')) as RunStatus | null;
  }

  /** Runs created before `before` that no step has started yet, oldest first. */
  async function unstarted(flow: string, before: number, limit: number): Promise<string[]> {
    return redis.zrangebyscore(keys.unstartedRuns(flow), '-inf', `(${before}`, 'LIMIT', 0, limit);
  }

  /** Drops runs from the unstarted set (they started, ended or are gone). */
  async function forgetUnstarted(flow: string, runIds: string[]) {
    if (runIds.length > 0) await redis.zrem(keys.unstartedRuns(flow), ...runIds);
  }

  return {
    create,
    createRunsFirst,
    stepStarted,
    stepCompleted,
    stepFailed,
    get,
    list,
    status,
    unstarted,
    forgetUnstarted,
  };
}

export type RunStore = ReturnType<typeof createRunStore>;

function runNotFound(flow: string, runId: string) {
  return new NotFoundError('run_not_found', `flow '${flow}' has no run '${runId}'`);
}

function parse(raw: string | null | undefined): unknown {
  if (raw === null || raw === undefined || raw === '') return undefined;
  return JSON.parse(raw);
}

const num = (raw: string | undefined) => (raw === undefined || raw === '' ? null : Number(raw));

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

function toSummary(hash: Record<string, string>): RunSummary {
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

function toRun(hash: Record<string, string>): Run {
  const steps = toSteps(hash);
  const { steps: stepCounts, ...summary } = toSummary(hash);
  return { ...summary, input: parse(hash.input) ?? null, output: parse(hash.output), stepCounts, steps };
}
