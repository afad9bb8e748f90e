import type { Trigger } from '@flowdeck/types';
import type { EngineContext } from '../context.ts';
import { newRunId, runIdFloor } from '../ids.ts';
import type { LuaScript } from '../lua.ts';
import { createRunScript } from '../run-scripts.ts';
import { triggerFields } from '../run-trigger.ts';
import { json } from './codec.ts';

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
export type CreateResult =
  | { stale: true }
  | { stale: false; refused: true }
  | { stale: false; refused: false; runId: string; created: boolean; recorded: boolean };

/** Creates the run (or names the one its idempotency key already made) in one script call. */
export async function createRun(ctx: EngineContext, run: NewRun): Promise<CreateResult> {
  const runId = run.runId ?? newRunId();
  const createdAt = Date.now();
  const script = run.createWith?.script ?? createRunScript;
  const result = (await script(
    ctx.redis,
    createKeys(ctx, run, runId),
    createArgs(ctx, run, runId, createdAt),
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

/** KEYS as lua/create-run.lua's header lists them, then the extra write's. */
function createKeys({ keys }: EngineContext, run: NewRun, runId: string): string[] {
  const flow = run.flowName;
  return [
    keys.run(flow, runId),
    keys.runIndex(flow),
    keys.runEvents(flow, runId),
    keys.idempotency(flow, run.idempotencyKey ?? '-'),
    keys.manifestVersion(flow),
    keys.unstartedRuns(flow),
    ...(run.createWith?.keys ?? []),
  ];
}

/** ARGV as lua/create-run.lua's header lists them, then the extra write's. */
function createArgs(ctx: EngineContext, run: NewRun, runId: string, createdAt: number) {
  return [
    runId,
    createdAt,
    run.flowName,
    json(run.input),
    json(run.trigger),
    json(run.steps),
    run.idempotencyKey ? Math.ceil(run.idempotencyTtlMs ?? ctx.retention.maxAgeMs) : '',
    run.manifestVersion ?? '',
    run.heldStep ?? '',
    ctx.retention.maxRuns,
    runIdFloor(createdAt - ctx.retention.maxAgeMs),
    ...triggerFields(run.trigger),
    ...(run.createWith?.args ?? []),
  ];
}

/** Whether a create sent now runs before any command sent after it (see LuaScript.isLoadedOn). */
export function createRunsFirst(ctx: EngineContext) {
  return createRunScript.isLoadedOn(ctx.redis);
}
