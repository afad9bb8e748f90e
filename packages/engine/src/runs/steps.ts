import type { ErrorInfo } from '@flowdeck/types';
import type { EngineContext } from '../context.ts';
import { stepCompletedScript, stepFailedScript, stepStartedScript } from '../run-scripts.ts';
import { event, json, parse } from './codec.ts';

/** A step's transitions, each one script call (see run-scripts.ts for why they are scripts). */

const runKeys = ({ keys }: EngineContext, flow: string, runId: string) => [
  keys.run(flow, runId),
  keys.runEvents(flow, runId),
];

export type StepStart =
  | { state: 'run'; input: unknown; outputs: Record<string, unknown> }
  | { state: 'completed' }
  | { state: 'done' };

/**
 * Marks the step running and reads what its handler needs in the same round trip. `run`: run
 * the handler; `completed`: the step is done but the run goes on; `done`: nothing to do.
 */
export async function recordStepStarted(
  ctx: EngineContext,
  flow: string,
  runId: string,
  step: string,
  attempt: number,
  needs: string[],
): Promise<StepStart> {
  const [code, input, ...values] = (await stepStartedScript(
    ctx.redis,
    [...runKeys(ctx, flow, runId), ctx.keys.unstartedRuns(flow)],
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
export async function recordStepCompleted(
  ctx: EngineContext,
  flow: string,
  runId: string,
  step: string,
  attempt: number,
  output: unknown,
  graph: { dependants: string[]; sinks: string[] },
  startedAt?: number,
) {
  const { dependants, sinks } = graph;
  const scriptKeys = [...runKeys(ctx, flow, runId), ctx.keys.unstartedRuns(flow)];
  const [state, remaining, completed, ...ready] = (await stepCompletedScript(ctx.redis, scriptKeys, [
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

export interface StepFailure {
  step: string;
  attempt: number;
  error: ErrorInfo;
  final: boolean;
  retryAt?: number;
  allSteps: string[];
}

/** Records a failed attempt: a retry, or (`final`) the step's and the run's failure. */
export async function recordStepFailed(
  ctx: EngineContext,
  flow: string,
  runId: string,
  failure: StepFailure,
) {
  const { step, attempt, error, final } = failure;
  const stepEvent = final
    ? event({ type: 'step.failed', step, attempt, error })
    : event({ type: 'step.retry', step, attempt, error, retryAt: failure.retryAt });
  await stepFailedScript(ctx.redis, runKeys(ctx, flow, runId), [
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
