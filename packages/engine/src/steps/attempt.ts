import type { StepManifest } from '@flowdeck/types';
import type { StepContext } from '../flow.ts';
import { recordStepFailed, recordStepStarted } from '../runs/steps.ts';
import {
  backoffDelay,
  RunCancelledError,
  StepAbort,
  toErrorInfo,
  WorkerShutdownError,
  withTimeout,
} from './abort.ts';
import { completeStep } from './complete.ts';
import { type DeferredStart, deferStart } from './deferred-start.ts';
import { logFailedWrite, type StepAttempt, type StepDeps } from './deps.ts';

/**
 * One attempt of a step: record its start, run its handler with a timeout, record the outcome.
 * A failure is recorded (a retry or the run's end) but not thrown, so each caller decides how
 * the next attempt is made.
 */

export type Attempt =
  | { state: 'completed' | 'skipped' }
  | { state: 'failed'; error: unknown; final: boolean; delayMs: number };

/** What a step's handler reads, when known without reading the run; `recorded`: whether the step
 * was marked started with its run (a held step) or is still to be (see step-runner.ts, startsAtOnce). */
export interface KnownStart {
  input: unknown;
  outputs: Record<string, unknown>;
  recorded: boolean;
}

/** The handler's view of its run, and the deferred record of its start if there is one. */
interface Running {
  input: unknown;
  outputs: Record<string, unknown>;
  deferred: DeferredStart | undefined;
  /** Records the start (without reading the run), for a failure of a step whose start is deferred. */
  recordStart: () => Promise<unknown>;
}

export async function attemptStep(deps: StepDeps, at: StepAttempt, started?: KnownStart): Promise<Attempt> {
  const { flow, runId, step, attempt } = at;
  const flowName = flow.manifest.name;
  const policy = flow.manifest.steps.find((s) => s.name === step);
  if (!policy) throw new Error(`flow '${flowName}' has no step '${step}'`);
  const recordStart = () => recordStepStarted(deps.ctx, flowName, runId, step, attempt, []);
  const deferred =
    started && !started.recorded
      ? deferStart(() => recordStart().catch(logFailedWrite(deps, 'warn', 'start', at)))
      : undefined;
  const start = started
    ? { state: 'run' as const, ...started }
    : await recordStepStarted(deps.ctx, flowName, runId, step, attempt, policy.needs);
  if (start.state === 'done') return { state: 'skipped' };
  if (start.state === 'completed') {
    // Delivered again after the step was recorded (its worker died just after): the
    // handler does not run again, but what follows the step is done now if it was not.
    await completeStep(deps, at, undefined);
    return { state: 'skipped' };
  }
  return runHandler(deps, at, policy, { input: start.input, outputs: start.outputs, deferred, recordStart });
}

async function runHandler(
  deps: StepDeps,
  at: StepAttempt,
  policy: StepManifest,
  running: Running,
): Promise<Attempt> {
  const { deferred } = running;
  const abort = new StepAbort();
  const pendingLogs: Promise<void>[] = [];
  const context = stepContext(deps, at, running, abort, pendingLogs);
  deps.running.set(abort, { flow: at.flow.manifest.name, runId: at.runId });
  try {
    const output = await withTimeout(() => at.flow.step(at.step).handler(context), policy.timeoutMs, abort);
    await Promise.all(pendingLogs);
    await completeStep(deps, at, output, deferred?.settle());
    deps.ctx.logger.info('step completed', {
      flow: at.flow.manifest.name,
      runId: at.runId,
      step: at.step,
      attempt: at.attempt,
    });
    return { state: 'completed' };
  } catch (error) {
    const unrecordedStart = deferred?.settle();
    await Promise.all(pendingLogs);
    // The run was canceled: its record already says so, and a late result would be ignored.
    if (abort.reason instanceof RunCancelledError) return { state: 'skipped' };
    if (abort.reason instanceof WorkerShutdownError) {
      // Keep the job active: its lock lapses with this process and BullMQ's stalled-job
      // check hands it to another worker, which runs the step again.
      return new Promise<never>(() => {});
    }
    // A failure is recorded on a started step.
    if (unrecordedStart !== undefined) await running.recordStart();
    return failAttempt(deps, at, policy, error);
  } finally {
    deps.running.delete(abort);
  }
}

/** The handler's context; a log line records a deferred start first, so it lands after it. */
function stepContext(
  deps: StepDeps,
  at: StepAttempt,
  running: Running,
  abort: StepAbort,
  pendingLogs: Promise<void>[],
): StepContext {
  const { runId, step, attempt } = at;
  const flowName = at.flow.manifest.name;
  return {
    input: running.input,
    outputs: running.outputs,
    runId,
    flowName,
    stepName: step,
    attempt,
    get signal() {
      return abort.signal;
    },
    log: (level, message, logData) => {
      running.deferred?.recordNow();
      pendingLogs.push(
        deps.events
          .log(flowName, runId, { step, attempt, level, message, data: logData })
          .catch(logFailedWrite(deps, 'warn', 'log line', at)),
      );
    },
  };
}

/** Records a failed attempt: a retry after the step's backoff, or the run's end after its last. */
async function failAttempt(
  deps: StepDeps,
  at: StepAttempt,
  policy: StepManifest,
  error: unknown,
): Promise<Attempt> {
  const { flow, runId, step, attempt } = at;
  const final = attempt - (at.retriedAfter ?? 0) >= policy.retry.attempts;
  const delayMs = backoffDelay(policy.retry.backoff, attempt);
  await recordStepFailed(deps.ctx, flow.manifest.name, runId, {
    step,
    attempt,
    error: toErrorInfo(error),
    final,
    retryAt: final ? undefined : Date.now() + delayMs,
    allSteps: flow.manifest.steps.map((s) => s.name),
  });
  deps.ctx.logger.warn(final ? 'step failed' : 'step attempt failed', {
    flow: flow.manifest.name,
    runId,
    step,
    attempt,
    error: toErrorInfo(error).message,
  });
  return { state: 'failed', error, final, delayMs };
}
