import type { ReplayRunResponse, Run } from '@flowdeck/types';
import type { EngineContext } from './context.ts';
import { ConflictError } from './errors.ts';
import type { Queues } from './queues.ts';
import type { Registry } from './registry.ts';
import { cancelRecord, deleteRecord, linkReplay, notRetryable, retryRecord } from './runs/operate.ts';
import { getRun } from './runs/read.ts';
import type { StartFlow } from './start-flow.ts';

/**
 * What an operator does to a run: cancel it, retry it in place, replay it as a new run, delete it.
 * The run's record changes in one script each (runs/operate.ts); this module then brings BullMQ in
 * line. A handler still running when its run is canceled is aborted by its worker, which looks at
 * the runs of its running steps every CANCEL_CHECK_MS (see steps/cancel-watch.ts).
 */

export interface RunActionDeps {
  ctx: EngineContext;
  queues: Queues;
  registry: Registry;
  startFlow: StartFlow;
}

/** Who asked, for the run's events. */
export interface Actor {
  name: string;
}

const stepNames = (run: Run) => run.steps.map((s) => s.name);

/** Ends a queued or running run `canceled`. Its waiting step jobs go; a running one is aborted by its worker. */
export async function cancelRun(
  deps: RunActionDeps,
  flow: string,
  runId: string,
  by: Actor & { reason?: string },
): Promise<Run> {
  await cancelRecord(deps.ctx, flow, runId, by);
  const run = await getRun(deps.ctx, flow, runId);
  // A waiting job would find the run ended and do nothing; removing it spares a worker the trip.
  await deps.queues.removeStepJobs(flow, runId, stepNames(run));
  deps.ctx.logger.info('run canceled', { flow, runId, by: by.name });
  return run;
}

/**
 * Continues a failed or canceled run from the steps that did not complete: those ready run again
 * as step jobs, with a fresh set of their retry policy's attempts numbered after the ones made.
 */
export async function retryRun(deps: RunActionDeps, flow: string, runId: string, by: Actor): Promise<Run> {
  const before = await getRun(deps.ctx, flow, runId);
  // Checked before any job is touched: a queued or running run's jobs are its live steps.
  if (before.status !== 'failed' && before.status !== 'canceled') throw notRetryable(runId, before.status);
  const unfinished = before.steps.filter((s) => s.status !== 'completed').map((s) => s.name);
  // A step job id is the run's and the step's: the old jobs must go before the new ones are added.
  await deps.queues.removeStepJobs(flow, runId, unfinished);
  if (await deps.queues.hasStepJob(flow, runId, unfinished)) {
    throw new ConflictError(
      'run_steps_stopping',
      `a step of run '${runId}' is still stopping on a worker; retry it in a few seconds`,
    );
  }
  const ready = await retryRecord(deps.ctx, flow, runId, by.name);
  const manifest = await deps.registry.manifest(flow);
  const attempts = new Map(before.steps.map((s) => [s.name, s.attempts]));
  await deps.queues.enqueueRetriedSteps(
    manifest,
    runId,
    ready.map((step) => ({ step, attemptsBefore: attempts.get(step) ?? 0 })),
  );
  deps.ctx.logger.info('run retried', { flow, runId, by: by.name, steps: ready });
  return getRun(deps.ctx, flow, runId);
}

/** A new run of the same flow with the run's input, or `input` when given; the two are linked. */
export async function replayRun(
  deps: RunActionDeps,
  flow: string,
  runId: string,
  input: unknown,
  by: Actor,
): Promise<ReplayRunResponse> {
  const original = await getRun(deps.ctx, flow, runId);
  const started = await deps.startFlow(flow, input === undefined ? original.input : input, {
    trigger: { type: 'replay', of: runId },
  });
  await linkReplay(deps.ctx, flow, runId, started.runId, by.name);
  return { ...started, replayOf: runId };
}

/** Deletes an ended run. */
export async function deleteRun(deps: RunActionDeps, flow: string, runId: string) {
  await deleteRecord(deps.ctx, flow, runId);
  return { deleted: true as const, runId };
}
