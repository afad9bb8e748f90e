import { recordStepCompleted } from '../runs/steps.ts';
import { logFailedWrite, type StepAttempt, type StepDeps } from './deps.ts';
import { factsOf } from './facts.ts';

/**
 * Records the step's completion (once, ending the run after its last step) and enqueues the
 * dependants now ready. `startedAt`: when the step started, if its start is not recorded yet.
 */
export async function completeStep(deps: StepDeps, at: StepAttempt, output: unknown, startedAt?: number) {
  const { flow, runId, step, attempt } = at;
  const dependants = flow.dependants(step);
  const graph = { dependants, sinks: factsOf(deps.facts, flow).sinks };
  const completing = recordStepCompleted(
    deps.ctx,
    flow.manifest.name,
    runId,
    step,
    attempt,
    output,
    graph,
    startedAt,
  );
  if (dependants.length === 0) {
    // Nothing follows this step, so its job may finish without waiting for the answer: the
    // completion was sent first on the connection BullMQ finishes the job on, so Redis runs it
    // first, and a worker that dies in between leaves an unfinished job that is run again.
    // This saves a round trip at the end of every run.
    completing.catch(logFailedWrite(deps, 'error', 'completion', at));
    return;
  }
  const done = await completing;
  await deps.queues.enqueueSteps(flow.manifest, runId, done.ready);
}
