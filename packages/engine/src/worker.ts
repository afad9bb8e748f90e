import { type Job, Worker } from 'bullmq';
import { createEngineParts, type EngineOptions } from './engine.ts';
import type { DefinedFlow } from './flow.ts';
import { classifyJob } from './jobs.ts';
import { blockingClient, closeClient, describeConnection } from './redis.ts';
import { newWorkerIdentity } from './registry.ts';
import { createRunRepair } from './run-repair.ts';
import { BACKLOG_CHECK_MS } from './schedules/backlog.ts';
import { cronRepeatStrategy } from './schedules/spec.ts';
import {
  createStepRunner,
  recordAbandonedStep,
  type StepRunnerState,
  WorkerShutdownError,
} from './step-runner.ts';
import { abortCanceled, CANCEL_CHECK_MS } from './steps/cancel-watch.ts';

export type WorkerOptions = EngineOptions & {
  flows: DefinedFlow[];
  /** Jobs run at once per flow. */
  concurrency: number;
  /** On close, how long running steps may take to finish before they are abandoned. */
  shutdownGraceMs: number;
  /**
   * A running job's lock lasts this long unless its worker renews it, and workers look for
   * jobs whose lock lapsed this often: a job of a worker that died is taken over within about
   * twice this time. BullMQ's default is 30 s for both.
   */
  stallTimeoutMs?: number;
  /**
   * How often the worker checks its flows for recurring schedules that lost their next fire in
   * BullMQ (see the reconciler's periodic check) and for runs whose entry steps never reached
   * BullMQ (see run-repair.ts), and repairs them. 0 or unset: schedules only at start-up.
   */
  checkIntervalMs?: number;
  /** How old an unstarted run must be before the check looks for its entry step jobs (60 s). */
  unstartedRunGraceMs?: number;
};

export interface WorkerHandle {
  id: string;
  /** Stops taking jobs, lets running steps finish within the grace period, disconnects. */
  close(): Promise<void>;
}

/**
 * Runs BullMQ workers for the given flows, publishes their manifests and a heartbeat,
 * and reconciles the flows' schedules with their BullMQ triggers before taking jobs.
 */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const hosted = new Map(options.flows.map((f) => [f.manifest.name, f.manifest]));
  const parts = createEngineParts(options, 'flowdeck:worker', hosted);
  const { ctx, registry, schedules } = parts;
  const names = options.flows.map((f) => f.manifest.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`two flows are named '${duplicate}'`);

  const identity = newWorkerIdentity(names, options.concurrency, options.heartbeatMs);
  await registry.publish(
    identity,
    options.flows.map((f) => f.manifest),
  );
  await schedules.reconcile(names);

  const state: StepRunnerState = { running: new Map() };
  const connection = blockingClient(ctx.connection, 'flowdeck:worker:bullmq');
  const { runStep, runHeldStep } = createStepRunner(parts, state, connection);
  const workers = options.flows.map((flow) => {
    const worker = new Worker(
      flow.manifest.name,
      async (job: Job) => {
        const kind = classifyJob(job.data);
        // The marker is checked before any step handler can run: a schedule's fire
        // becomes a tracked run through startFlow, never a bare step execution.
        if (kind.type === 'marker') {
          const fired = await schedules.fire(job, kind.job, {
            holdEntryStep: kind.job.__flowName === flow.manifest.name,
          });
          if (!('held' in fired) || !fired.held) return fired;
          const { held, ...result } = fired;
          return { ...result, entryStep: { name: held.step, state: await runHeldStep(flow, held) } };
        }
        if (kind.type === 'step') return runStep(flow, job, kind.job);
        ctx.logger.warn('dropping a job of unknown kind', { flow: flow.manifest.name, jobId: job.id });
        return { dropped: true };
      },
      {
        connection,
        prefix: ctx.keys.queuePrefix(flow.manifest.name),
        concurrency: options.concurrency,
        lockDuration: options.stallTimeoutMs ?? 30_000,
        stalledInterval: options.stallTimeoutMs ?? 30_000,
        // The next fire of a cron schedule, as the preview computes it (see nextCronFire).
        settings: { repeatStrategy: cronRepeatStrategy },
      },
    );
    worker.on('failed', (job) => {
      // Set when BullMQ failed the job without running it: it stalled more often than allowed.
      if (!job?.deferredFailure) return;
      const kind = classifyJob(job.data);
      const told =
        kind.type === 'step'
          ? recordAbandonedStep(parts, flow, job, kind.job)
          : kind.type === 'marker'
            ? schedules.abandon(job, kind.job)
            : Promise.resolve();
      told.catch((error: Error) =>
        ctx.logger.warn('could not record an abandoned job', {
          flow: flow.manifest.name,
          jobId: job.id,
          error: error.message,
        }),
      );
    });
    worker.on('error', (error) =>
      ctx.logger.warn('worker error', { flow: flow.manifest.name, error: error.message }),
    );
    return worker;
  });

  const heartbeat = setInterval(() => {
    registry
      .heartbeat(identity)
      .catch((error: Error) => ctx.logger.warn('heartbeat failed', { error: error.message }));
  }, options.heartbeatMs);
  heartbeat.unref();
  const backlogCheck = periodically(BACKLOG_CHECK_MS, () => schedules.checkBacklogs(names), ctx);
  const cancelCheck = periodically(CANCEL_CHECK_MS, () => abortCanceled(ctx, state.running), ctx);
  const runRepair = createRunRepair(ctx, parts);
  const check = options.checkIntervalMs
    ? periodically(
        options.checkIntervalMs,
        async () => {
          await schedules.checkTriggers(names);
          await runRepair.check(
            options.flows.map((f) => f.manifest),
            options.unstartedRunGraceMs ?? 60_000,
          );
        },
        ctx,
      )
    : undefined;
  ctx.logger.info('worker started', {
    workerId: identity.id,
    flows: names,
    concurrency: options.concurrency,
    redis: describeConnection(ctx.connection),
  });

  let closing: Promise<void> | undefined;
  async function close() {
    clearInterval(heartbeat);
    await Promise.all([check?.stop(), backlogCheck.stop(), cancelCheck.stop()]);
    const graceful = Promise.all(workers.map((w) => w.close()));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), options.shutdownGraceMs);
    });
    if ((await Promise.race([graceful, expired])) === 'expired') {
      ctx.logger.warn('shutdown grace period over; abandoning running steps', {
        running: state.running.size,
      });
      for (const abort of state.running.keys()) abort.abort(new WorkerShutdownError());
      await Promise.all(workers.map((w) => w.close(true)));
    }
    clearTimeout(timer);
    await registry.unpublishWorker(identity.id).catch(() => {});
    await parts.queues.close();
    await closeClient(connection);
    await closeClient(ctx.redis);
    ctx.logger.info('worker stopped', { workerId: identity.id });
  }

  return {
    id: identity.id,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

/**
 * Runs `task` every `ms`, never two at once; a failure is logged and the next round goes on.
 * `stop` waits for a round in progress, so it does not outlive the connections it uses.
 */
function periodically(
  ms: number,
  task: () => Promise<unknown>,
  ctx: { logger: { warn(msg: string, data?: object): void } },
) {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= task()
      .then(
        () => {},
        (error: Error) => ctx.logger.warn('periodic check failed', { error: error.message }),
      )
      .finally(() => {
        running = undefined;
      });
  }, ms);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
