import type { FlowManifest } from '@flowdeck/types';
import { Queue } from 'bullmq';
import type { EngineContext } from './context.ts';
import { STEP_JOB_NAME, type StepJob, stepJobId } from './jobs.ts';
import { cronRepeatStrategy } from './schedules/spec.ts';

/** One BullMQ queue per flow, all sharing the engine's connection, created on first use. */
export function createQueues(ctx: EngineContext) {
  const queues = new Map<string, Queue>();

  function queue(flow: string): Queue {
    let q = queues.get(flow);
    if (!q) {
      q = new Queue(flow, {
        connection: ctx.redis,
        prefix: ctx.keys.queuePrefix(flow),
        settings: { repeatStrategy: cronRepeatStrategy },
      });
      q.on('error', (error) => ctx.logger.warn('queue error', { flow, error: error.message }));
      queues.set(flow, q);
    }
    return q;
  }

  /**
   * Enqueues step jobs with deterministic ids, so enqueueing the same step twice is a no-op. One
   * step (the usual case) is a plain add: addBulk builds an ioredis pipeline, whose constructor
   * copies every script BullMQ defines and cost more CPU than the rest of a no-op run.
   */
  async function enqueueSteps(manifest: FlowManifest, runId: string, steps: string[]) {
    if (steps.length === 0) return;
    const jobs = steps.map((step) => {
      const policy = manifest.steps.find((s) => s.name === step);
      const data: StepJob = { kind: 'step', runId, step };
      return {
        name: STEP_JOB_NAME,
        data,
        opts: {
          jobId: stepJobId(runId, step),
          attempts: policy?.retry.attempts ?? 1,
          backoff: policy
            ? { type: policy.retry.backoff.type, delay: policy.retry.backoff.delayMs }
            : undefined,
          removeOnComplete: true,
          removeOnFail: { age: 24 * 3600, count: 1000 },
        },
      };
    });
    if (jobs.length === 1) await queue(manifest.name).add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts);
    else await queue(manifest.name).addBulk(jobs);
  }

  async function close() {
    await Promise.all([...queues.values()].map((q) => q.close()));
    queues.clear();
  }

  return { queue, enqueueSteps, close };
}

export type Queues = ReturnType<typeof createQueues>;
