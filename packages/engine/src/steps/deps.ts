import type { EngineContext } from '../context.ts';
import type { EventLog } from '../events.ts';
import type { DefinedFlow } from '../flow.ts';
import type { Queues } from '../queues.ts';
import type { StepAbort } from './abort.ts';
import type { FlowFactsCache } from './facts.ts';

/**
 * What running a step uses. `ctx.redis` and `events` write on the connection BullMQ finishes the
 * step jobs on, so a step's transitions and log lines reach Redis before its job's end.
 */
export interface StepDeps {
  ctx: EngineContext;
  events: EventLog;
  queues: Queues;
  facts: FlowFactsCache;
  /** The handlers now running and their runs: aborted when the run is canceled or the shutdown grace ends. */
  running: Map<StepAbort, RunningStep>;
}

/** Which run a running handler works for. */
export interface RunningStep {
  flow: string;
  runId: string;
}

/** One attempt of one step of a run. */
export interface StepAttempt {
  flow: DefinedFlow;
  runId: string;
  step: string;
  attempt: number;
  /** Attempts made before the run was retried: the step's retry policy counts after them. */
  retriedAfter?: number;
}

/** Logs a failed write of a step that nothing waits for. */
export const logFailedWrite =
  ({ ctx }: StepDeps, level: 'warn' | 'error', what: string, { flow, runId, step }: StepAttempt) =>
  (error: Error) =>
    ctx.logger[level](`could not record a step ${what}`, {
      flow: flow.manifest.name,
      runId,
      step,
      error: error.message,
    });
