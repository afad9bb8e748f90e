import type { EngineContext } from '../context.ts';
import { RunCancelledError, type StepAbort } from './abort.ts';
import type { RunningStep } from './deps.ts';

/**
 * How often a worker looks at the runs of the handlers it is running for a cancel. A cancel is an
 * API call on any machine; this is how a handler elsewhere learns of it, within this long.
 */
export const CANCEL_CHECK_MS = 500;

/**
 * Aborts, with a RunCancelledError, each running handler whose run is no longer going: canceled
 * (or deleted) since it started. One read of each run's status, and none while nothing runs.
 */
export async function abortCanceled(ctx: EngineContext, running: ReadonlyMap<StepAbort, RunningStep>) {
  if (running.size === 0) return;
  const entries = [...running];
  const statuses = await Promise.all(
    entries.map(([, { flow, runId }]) => ctx.redis.hget(ctx.keys.run(flow, runId), 'status')),
  );
  entries.forEach(([abort, { runId }], i) => {
    if (statuses[i] === 'canceled' || statuses[i] === null) abort.abort(new RunCancelledError(runId));
  });
}
