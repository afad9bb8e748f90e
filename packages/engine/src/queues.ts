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
  async function enqueueSteps(
    manifest: FlowManifest,
    runId: string,
    steps: string[],
    /** Of a run just created: given to its only entry step's job (see StepJob.newRun). */
    newRun?: StepJob['newRun'],
  ) {
    if (steps.length === 0) return;
    const jobs = steps.map((step) => stepJob(manifest, runId, step, 0));
    if (newRun && manifest.entrySteps.length === 1 && jobs.length === 1) jobs[0]!.data.newRun = newRun;
    if (jobs.length === 1) await queue(manifest.name).add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts);
    else await queue(manifest.name).addBulk(jobs);
  }

  /**
   * After an attempt that ran outside a step job (an entry step run inside its marker job)
   * failed: the step's remaining attempts as a step job, the first of them after `delayMs`.
   */
  async function enqueueRetry(
    manifest: FlowManifest,
    runId: string,
    step: string,
    attemptsMade: number,
    delayMs: number,
  ) {
    const job = stepJob(manifest, runId, step, attemptsMade);
    await queue(manifest.name).add(job.name, job.data, { ...job.opts, delay: delayMs });
  }

  /**
   * After a run was retried: its ready steps as step jobs, each with its retry policy's attempts
   * afresh, numbered after the `attemptsBefore` it made.
   */
  async function enqueueRetriedSteps(
    manifest: FlowManifest,
    runId: string,
    steps: { step: string; attemptsBefore: number }[],
  ) {
    const jobs = steps.map(({ step, attemptsBefore }) =>
      stepJob(manifest, runId, step, attemptsBefore, attemptsBefore),
    );
    if (jobs.length > 0) await queue(manifest.name).addBulk(jobs);
  }

  /** Removes these steps' jobs of the run, unless a worker holds one. */
  async function removeStepJobs(flow: string, runId: string, steps: string[]) {
    await Promise.all(
      steps.map((step) =>
        queue(flow)
          .remove(stepJobId(runId, step))
          .catch(() => 0),
      ),
    );
  }

  /** Whether BullMQ holds a job for any of these steps of the run. */
  async function hasStepJob(flow: string, runId: string, steps: string[]) {
    const q = queue(flow);
    const found = await Promise.all(steps.map((step) => ctx.redis.exists(q.toKey(stepJobId(runId, step)))));
    return found.some((n) => n === 1);
  }

  /**
   * Jobs of the flow that are due and not yet taken by a worker: waiting, or delayed with their
   * time come (a busy worker promotes those only when it next takes a job). BullMQ scores a
   * delayed job by its due time × 0x1000.
   */
  async function dueJobs(flow: string) {
    const q = queue(flow);
    const dueScore = (Date.now() + 1) * 0x1000 - 1;
    const [waiting, delayed] = await Promise.all([
      q.getWaitingCount(),
      ctx.redis.zcount(q.toKey('delayed'), 0, dueScore),
    ]);
    return waiting + delayed;
  }

  async function close() {
    await Promise.all([...queues.values()].map((q) => q.close()));
    queues.clear();
  }

  return {
    queue,
    enqueueSteps,
    enqueueRetry,
    enqueueRetriedSteps,
    removeStepJobs,
    hasStepJob,
    dueJobs,
    close,
  };
}

/**
 * A step job with the step's retry policy, less the attempts already made since the run last
 * began or was retried (`retriedAfter` of them were made before that). BullMQ counts the job's own
 * attempts from one: an exponential backoff delay doubled once per earlier attempt gives the
 * delays the step would have had as one job.
 */
function stepJob(
  manifest: FlowManifest,
  runId: string,
  step: string,
  attemptsBefore: number,
  retriedAfter = 0,
) {
  const policy = manifest.steps.find((s) => s.name === step);
  const data: StepJob = {
    kind: 'step',
    runId,
    step,
    ...(attemptsBefore > 0 ? { attemptsBefore } : {}),
    ...(retriedAfter > 0 ? { retriedAfter } : {}),
  };
  const made = attemptsBefore - retriedAfter;
  const backoff = policy?.retry.backoff;
  return {
    name: STEP_JOB_NAME,
    data,
    opts: {
      jobId: stepJobId(runId, step),
      attempts: Math.max(1, (policy?.retry.attempts ?? 1) - made),
      backoff: backoff
        ? {
            type: backoff.type,
            delay: backoff.type === 'exponential' ? backoff.delayMs * 2 ** made : backoff.delayMs,
          }
        : undefined,
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600, count: 1000 },
    },
  };
}

export type Queues = ReturnType<typeof createQueues>;
