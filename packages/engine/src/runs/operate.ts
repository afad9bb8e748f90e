import type { EngineContext } from '../context.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { RUN_ID_PATTERN } from '../ids.ts';
import { cancelRunScript, deleteRunScript, linkReplayScript, retryRunScript } from '../run-scripts.ts';
import { event } from './codec.ts';

/**
 * An operator's actions on a run's record, each one script: cancel, retry, delete, and the link
 * from a run to its replays. What they do to BullMQ jobs and running handlers is run-actions.ts's.
 */

const notFound = (flow: string, runId: string) =>
  new NotFoundError('run_not_found', `flow '${flow}' has no run '${runId}'`);

function runKeys({ keys }: EngineContext, flow: string, runId: string) {
  if (!RUN_ID_PATTERN.test(runId)) throw notFound(flow, runId);
  return [keys.run(flow, runId), keys.runEvents(flow, runId)];
}

/** Ends the run `canceled`; answers the steps that were running. 409 once the run has ended. */
export async function cancelRecord(
  ctx: EngineContext,
  flow: string,
  runId: string,
  by: { name: string; reason?: string },
): Promise<string[]> {
  const keys = [...runKeys(ctx, flow, runId), ctx.keys.unstartedRuns(flow)];
  const canceled = event({ type: 'run.canceled', message: by.reason, data: { by: by.name } });
  const [state, ...rest] = (await cancelRunScript(ctx.redis, keys, [
    Date.now(),
    runId,
    canceled,
  ])) as string[];
  if (state === 'gone') throw notFound(flow, runId);
  if (state === 'ended') {
    throw new ConflictError(
      'run_ended',
      `run '${runId}' has already ended (${rest[0]}); there is nothing to cancel`,
    );
  }
  return rest;
}

/** Makes a failed or canceled run's unfinished steps pending again; answers those ready to run. */
export async function retryRecord(ctx: EngineContext, flow: string, runId: string, by: string) {
  const retried = event({ type: 'run.retried', data: { by } });
  const [state, ...rest] = (await retryRunScript(ctx.redis, runKeys(ctx, flow, runId), [
    retried,
  ])) as string[];
  if (state === 'gone') throw notFound(flow, runId);
  if (state === 'not-ended') throw notRetryable(runId, rest[0]!);
  return rest;
}

export const notRetryable = (runId: string, status: string) =>
  new ConflictError(
    'run_not_ended',
    `run '${runId}' is ${status}; only a failed or canceled run can be retried`,
  );

/** Deletes an ended run's record, events and index entries. 409 while it is queued or running. */
export async function deleteRecord(ctx: EngineContext, flow: string, runId: string) {
  const keys = [...runKeys(ctx, flow, runId), ctx.keys.runIndex(flow), ctx.keys.unstartedRuns(flow)];
  const [state, status] = (await deleteRunScript(ctx.redis, keys, [runId])) as string[];
  if (state === 'gone') throw notFound(flow, runId);
  if (state === 'not-ended') {
    throw new ConflictError('run_not_ended', `run '${runId}' is ${status}; cancel it before deleting it`);
  }
}

/** Records on the original run that `replayId` replays it. */
export async function linkReplay(
  ctx: EngineContext,
  flow: string,
  runId: string,
  replayId: string,
  by: string,
) {
  const replayed = event({ type: 'run.replayed', data: { runId: replayId, by } });
  await linkReplayScript(ctx.redis, runKeys(ctx, flow, runId), [replayId, Date.now(), replayed]);
}
