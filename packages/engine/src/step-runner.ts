import type { Job } from 'bullmq';
import type { EngineParts } from './engine.ts';
import { createEventLog } from './events.ts';
import type { DefinedFlow } from './flow.ts';
import type { StepJob } from './jobs.ts';
import type { RedisClient } from './redis.ts';
import type { HeldStep } from './schedules/fire.ts';
import type { StepAbort } from './steps/abort.ts';
import { attemptStep, type KnownStart } from './steps/attempt.ts';
import type { RunningStep, StepDeps } from './steps/deps.ts';
import { factsOf } from './steps/facts.ts';

/**
 * Runs one step: record the start (skipped when the step or run is already done, so a
 * redelivered job is harmless), run the handler with a timeout, then record the outcome
 * and enqueue the dependants whose needs are all complete. The attempt itself is in steps/;
 * this module decides how a step job or a held step gets there and what a failure becomes.
 */

export {
  RunCancelledError,
  StepAbort,
  StepTimeoutError,
  toErrorInfo,
  WorkerShutdownError,
} from './steps/abort.ts';

export interface StepRunnerState {
  /** The handlers now running and their runs, aborted when the run is canceled or the shutdown grace ends. */
  running: Map<StepAbort, RunningStep>;
}

/**
 * `jobConnection` is the connection BullMQ finishes the step jobs on. A step's transitions go
 * out on it too, so a step's completion always reaches Redis before its job's.
 */
export function createStepRunner(parts: EngineParts, state: StepRunnerState, jobConnection: RedisClient) {
  const ctx = { ...parts.ctx, redis: jobConnection };
  const deps: StepDeps = {
    ctx,
    // A step's log lines too, so they land after its start.
    events: createEventLog(ctx),
    queues: parts.queues,
    facts: new WeakMap(),
    running: state.running,
  };
  return {
    runStep: (flow: DefinedFlow, job: Job, data: StepJob) => runStep(deps, flow, job, data),
    runHeldStep: (flow: DefinedFlow, held: HeldStep) => runHeldStep(deps, flow, held),
  };
}

/** A step job: a failed attempt is thrown, so BullMQ retries the job with the step's backoff. */
export async function runStep(deps: StepDeps, flow: DefinedFlow, job: Job, data: StepJob) {
  const attempt = job.attemptsMade + 1 + (data.attemptsBefore ?? 0);
  const at = { flow, runId: data.runId, step: data.step, attempt, retriedAfter: data.retriedAfter };
  const result = await attemptStep(deps, at, startsAtOnce(deps, flow, job, data));
  if (result.state === 'failed') throw result.error;
  return result.state === 'completed' ? { completed: true } : { skipped: true };
}

/**
 * The first delivery of a new run's only entry step starts without reading the run: nothing
 * else in the run can have happened yet, and the job carries the input. Not for a job sent with
 * a create checked against another manifest version than this worker's (the create may have
 * been refused, and the job then names no run). A job delivered again (after a crash or a failed
 * attempt) reads the run first, as every other step does.
 */
function startsAtOnce(deps: StepDeps, flow: DefinedFlow, job: Job, data: StepJob): KnownStart | undefined {
  const { newRun } = data;
  if (!newRun || job.attemptsStarted > 1 || job.attemptsMade > 0) return undefined;
  if (newRun.version !== undefined && newRun.version !== factsOf(deps.facts, flow).version) return undefined;
  return { input: newRun.input, outputs: {}, recorded: false };
}

/**
 * The first attempt of a run's entry step, inside the marker job that started the run: a
 * scheduled fire costs one BullMQ job instead of two. A failed attempt with attempts left
 * becomes a step job for the rest, after the step's backoff.
 */
export async function runHeldStep(deps: StepDeps, flow: DefinedFlow, { runId, step, input }: HeldStep) {
  const at = { flow, runId, step, attempt: 1 };
  const result = await attemptStep(deps, at, { input, outputs: {}, recorded: true });
  if (result.state === 'failed' && !result.final) {
    await deps.queues.enqueueRetry(flow.manifest, runId, step, 1, result.delayMs);
  }
  return result.state;
}

/**
 * BullMQ fails a step job without running it once the job stalled more often than allowed
 * (its worker died mid-step more than once, e.g. a step that crashes the process). The run is
 * told here, as a final failure of that step, so it ends `failed` instead of staying `running`.
 */
export async function recordAbandonedStep(parts: EngineParts, flow: DefinedFlow, job: Job, data: StepJob) {
  const reason = job.deferredFailure || job.failedReason || 'the job was abandoned';
  await parts.runs.stepFailed(flow.manifest.name, data.runId, {
    step: data.step,
    attempt: Math.max(1, job.attemptsStarted ?? job.attemptsMade) + (data.attemptsBefore ?? 0),
    error: {
      name: 'WorkerLostError',
      message: `the worker running this step stopped mid-step more than once (${reason})`,
    },
    final: true,
    allSteps: flow.manifest.steps.map((s) => s.name),
  });
  parts.ctx.logger.warn('step abandoned after its worker stopped mid-step', {
    flow: flow.manifest.name,
    runId: data.runId,
    step: data.step,
  });
}
