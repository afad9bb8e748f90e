import type { ErrorInfo } from '@flowdeck/types';
import type { Job } from 'bullmq';
import type { EngineParts } from './engine.ts';
import { createEventLog } from './events.ts';
import type { DefinedFlow, StepContext } from './flow.ts';
import type { StepJob } from './jobs.ts';
import type { RedisClient } from './redis.ts';
import { manifestVersion } from './registry.ts';
import { createRunStore } from './runs.ts';
import type { HeldStep } from './schedules/fire.ts';

/**
 * Runs one step: record the start (skipped when the step or run is already done, so a
 * redelivered job is harmless), run the handler with a timeout, then record the outcome
 * and enqueue the dependants whose needs are all complete.
 */

export class StepTimeoutError extends Error {
  constructor(ms: number) {
    super(`step timed out after ${ms} ms`);
    this.name = 'StepTimeoutError';
  }
}

/** Thrown into a handler's signal when the worker stops; the job is left to be recovered. */
export class WorkerShutdownError extends Error {
  constructor() {
    super('worker is shutting down');
    this.name = 'WorkerShutdownError';
  }
}

export interface StepRunnerState {
  /** The handlers now running, aborted when the shutdown grace ends. */
  running: Set<StepAbort>;
}

/**
 * `jobConnection` is the connection BullMQ finishes the step jobs on. A step's transitions go
 * out on it too, so a step's completion always reaches Redis before its job's.
 */
export function createStepRunner(parts: EngineParts, state: StepRunnerState, jobConnection: RedisClient) {
  const { queues, ctx } = parts;
  const runs = createRunStore({ ...ctx, redis: jobConnection });
  // A step's log lines too, so they land after its start.
  const events = createEventLog({ ...ctx, redis: jobConnection });

  /** What a flow's steps need of its manifest, worked out once per flow. */
  const facts = new WeakMap<DefinedFlow, { sinks: string[]; version: string }>();
  const factsOf = (flow: DefinedFlow) => {
    let known = facts.get(flow);
    if (!known) {
      const sinks = flow.manifest.steps
        .filter((s) => flow.dependants(s.name).length === 0)
        .map((s) => s.name);
      known = { sinks, version: manifestVersion(flow.manifest) };
      facts.set(flow, known);
    }
    return known;
  };

  /** Logs a failed write of a step that nothing waits for. */
  const logFailedWrite =
    (level: 'warn' | 'error', what: string, flow: string, runId: string, step: string) => (error: Error) =>
      ctx.logger[level](`could not record a step ${what}`, { flow, runId, step, error: error.message });

  /** Records the step's completion (once, ending the run after its last step) and enqueues the dependants now ready. */
  async function afterStep(
    flow: DefinedFlow,
    runId: string,
    step: string,
    attempt: number,
    output: unknown,
    /** When the step started, if its start is not recorded yet. */
    startedAt?: number,
  ) {
    const flowName = flow.manifest.name;
    const dependants = flow.dependants(step);
    const graph = { dependants, sinks: factsOf(flow).sinks };
    const completing = runs.stepCompleted(flowName, runId, step, attempt, output, graph, startedAt);
    if (dependants.length === 0) {
      // Nothing follows this step, so its job may finish without waiting for the answer: the
      // completion was sent first on the connection BullMQ finishes the job on, so Redis runs it
      // first, and a worker that dies in between leaves an unfinished job that is run again.
      // This saves a round trip at the end of every run.
      completing.catch(logFailedWrite('error', 'completion', flowName, runId, step));
      return;
    }
    const done = await completing;
    await queues.enqueueSteps(flow.manifest, runId, done.ready);
  }

  /**
   * One attempt of a step. Returns how it went; a failure is recorded (a retry or the run's end)
   * but not thrown, so each caller decides how the next attempt is made.
   */
  async function attemptStep(
    flow: DefinedFlow,
    runId: string,
    step: string,
    attempt: number,
    /** What its handler reads, when known without reading the run; `recorded`: whether the step
     * was marked started with its run (a held step) or is still to be (see startsAtOnce). */
    started?: { input: unknown; outputs: Record<string, unknown>; recorded: boolean },
  ): Promise<Attempt> {
    const flowName = flow.manifest.name;
    const policy = flow.manifest.steps.find((s) => s.name === step);
    if (!policy) throw new Error(`flow '${flowName}' has no step '${step}'`);
    const recordStart = () => runs.stepStarted(flowName, runId, step, attempt, []);
    const deferred =
      started && !started.recorded
        ? deferStart(() => recordStart().catch(logFailedWrite('warn', 'start', flowName, runId, step)))
        : undefined;
    const start = started
      ? { state: 'run' as const, ...started }
      : await runs.stepStarted(flowName, runId, step, attempt, policy.needs);
    if (start.state === 'done') return { state: 'skipped' };
    if (start.state === 'completed') {
      // Delivered again after the step was recorded (its worker died just after): the
      // handler does not run again, but what follows the step is done now if it was not.
      await afterStep(flow, runId, step, attempt, undefined);
      return { state: 'skipped' };
    }
    const { input, outputs } = start;
    const abort = new StepAbort();
    const pendingLogs: Promise<void>[] = [];
    const context: StepContext = {
      input,
      outputs,
      runId,
      flowName,
      stepName: step,
      attempt,
      get signal() {
        return abort.signal;
      },
      log: (level, message, logData) => {
        deferred?.recordNow();
        pendingLogs.push(
          events
            .log(flowName, runId, { step, attempt, level, message, data: logData })
            .catch(logFailedWrite('warn', 'log line', flowName, runId, step)),
        );
      },
    };

    state.running.add(abort);
    try {
      const output = await withTimeout(() => flow.step(step).handler(context), policy.timeoutMs, abort);
      await Promise.all(pendingLogs);
      await afterStep(flow, runId, step, attempt, output, deferred?.settle());
      ctx.logger.info('step completed', { flow: flowName, runId, step, attempt });
      return { state: 'completed' };
    } catch (error) {
      const unrecordedStart = deferred?.settle();
      await Promise.all(pendingLogs);
      if (abort.reason instanceof WorkerShutdownError) {
        // Keep the job active: its lock lapses with this process and BullMQ's stalled-job
        // check hands it to another worker, which runs the step again.
        return new Promise<never>(() => {});
      }
      const final = attempt >= policy.retry.attempts;
      const delayMs = backoffDelay(policy.retry.backoff, attempt);
      // A failure is recorded on a started step.
      if (unrecordedStart !== undefined) await recordStart();
      await runs.stepFailed(flowName, runId, {
        step,
        attempt,
        error: toErrorInfo(error),
        final,
        retryAt: final ? undefined : Date.now() + delayMs,
        allSteps: flow.manifest.steps.map((s) => s.name),
      });
      ctx.logger.warn(final ? 'step failed' : 'step attempt failed', {
        flow: flowName,
        runId,
        step,
        attempt,
        error: toErrorInfo(error).message,
      });
      return { state: 'failed', error, final, delayMs };
    } finally {
      state.running.delete(abort);
    }
  }

  /** A step job: a failed attempt is thrown, so BullMQ retries the job with the step's backoff. */
  async function runStep(flow: DefinedFlow, job: Job, data: StepJob) {
    const attempt = job.attemptsMade + 1 + (data.attemptsBefore ?? 0);
    const result = await attemptStep(flow, data.runId, data.step, attempt, startsAtOnce(flow, job, data));
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
  function startsAtOnce(flow: DefinedFlow, job: Job, data: StepJob) {
    const { newRun } = data;
    if (!newRun || job.attemptsStarted > 1 || job.attemptsMade > 0) return undefined;
    if (newRun.version !== undefined && newRun.version !== factsOf(flow).version) return undefined;
    return { input: newRun.input, outputs: {}, recorded: false };
  }

  /**
   * The first attempt of a run's entry step, inside the marker job that started the run: a
   * scheduled fire costs one BullMQ job instead of two. A failed attempt with attempts left
   * becomes a step job for the rest, after the step's backoff.
   */
  async function runHeldStep(flow: DefinedFlow, { runId, step, input }: HeldStep) {
    const result = await attemptStep(flow, runId, step, 1, { input, outputs: {}, recorded: true });
    if (result.state === 'failed' && !result.final) {
      await queues.enqueueRetry(flow.manifest, runId, step, 1, result.delayMs);
    }
    return result.state;
  }

  return { runStep, runHeldStep };
}

type Attempt =
  | { state: 'completed' | 'skipped' }
  | { state: 'failed'; error: unknown; final: boolean; delayMs: number };

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

/**
 * The start of a step that began without reading its run (see startsAtOnce). A handler done
 * before the event loop turns has its start recorded with its completion, one script for both;
 * one still running then, or one that logs, has it recorded at once, so the run shows the step
 * running and its log lines after its start.
 */
function deferStart(record: () => void) {
  const startedAt = Date.now();
  let pending: NodeJS.Immediate | undefined = setImmediate(() => {
    pending = undefined;
    record();
  });
  return {
    /** Stops the deferred record: the start time when it is still to be recorded, else undefined. */
    settle(): number | undefined {
      if (pending === undefined) return undefined;
      clearImmediate(pending);
      pending = undefined;
      return startedAt;
    },
    /** Records the start now if it is still to be (before anything else the step records). */
    recordNow() {
      if (this.settle() !== undefined) record();
    },
  };
}

/**
 * A running handler's abort: its signal is made only when the handler reads `context.signal`
 * (most never do, and an AbortController per step was a measurable share of a no-op step).
 */
export class StepAbort {
  reason: unknown;
  private controller: AbortController | undefined;
  private listener: ((reason: unknown) => void) | undefined;

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.reason !== undefined && !this.controller.signal.aborted) this.controller.abort(this.reason);
    return this.controller.signal;
  }

  abort(reason: unknown) {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller?.abort(reason);
    this.listener?.(reason);
  }

  /** Called once, with the reason, when the step is aborted. */
  onAbort(listener: (reason: unknown) => void) {
    this.listener = listener;
  }
}

function withTimeout<T>(run: () => T | Promise<T>, ms: number, abort: StepAbort): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => abort.abort(new StepTimeoutError(ms)), ms);
    abort.onAbort(reject);
    Promise.resolve()
      .then(run)
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

/** The delay BullMQ waits before the next attempt, for the `step.retry` event. */
function backoffDelay(backoff: { type: 'fixed' | 'exponential'; delayMs: number }, attempt: number) {
  return backoff.type === 'fixed' ? backoff.delayMs : Math.round(2 ** (attempt - 1) * backoff.delayMs);
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) return { message: error.message || error.name, name: error.name };
  return { message: String(error) };
}
