import type { FlowManifest } from '@flowdeck/types';
import type { EngineContext } from './context.ts';
import type { Queues } from './queues.ts';
import type { RunStore } from './runs.ts';

/** How many unstarted runs one check looks at per flow, oldest first. */
const CHECKED_PER_FLOW = 1000;

/**
 * Runs that were recorded but whose entry steps never reached BullMQ: the process that started
 * them died between the create script and the enqueue (an API killed mid-request). Every run
 * waits in the flow's unstarted set from its creation until a step of it starts; a worker's
 * periodic check looks at those older than `graceMs` and, for a run still queued with none of
 * its entry step jobs in BullMQ, enqueues them (with their usual deterministic ids, so a job
 * that does exist is never doubled). Runs that started or ended meanwhile leave the set.
 */
export function createRunRepair(ctx: EngineContext, deps: { runs: RunStore; queues: Queues }) {
  const { runs, queues } = deps;

  async function checkFlow(manifest: FlowManifest, graceMs: number) {
    const flow = manifest.name;
    const ids = await runs.unstarted(flow, Date.now() - graceMs, CHECKED_PER_FLOW);
    if (ids.length === 0) return 0;
    const statuses = await Promise.all(ids.map((id) => runs.status(flow, id)));
    await runs.forgetUnstarted(
      flow,
      ids.filter((_, i) => statuses[i] !== 'queued'),
    );
    const queued = ids.filter((_, i) => statuses[i] === 'queued');
    const enqueued = await Promise.all(queued.map((id) => queues.hasStepJob(flow, id, manifest.entrySteps)));
    const lost = queued.filter((_, i) => !enqueued[i]);
    for (const runId of lost) {
      await queues.enqueueSteps(manifest, runId, manifest.entrySteps);
      ctx.logger.warn('enqueued the entry steps of a run that was never started', { flow, runId });
    }
    return lost.length;
  }

  return {
    /** Returns how many runs got their entry steps enqueued. */
    async check(manifests: FlowManifest[], graceMs: number) {
      let repaired = 0;
      for (const manifest of manifests) repaired += await checkFlow(manifest, graceMs);
      return repaired;
    },
  };
}
