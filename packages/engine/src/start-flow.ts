import type { FlowManifest, StartFlowResponse } from '@flowdeck/types';
import type { StartFlowOptions } from './api.ts';
import { InputInvalidError, InvalidRequestError } from './errors.ts';
import { newRunId } from './ids.ts';
import { describeInputErrors, inputErrors } from './input-schema.ts';
import type { Queues } from './queues.ts';
import type { Registry } from './registry.ts';
import type { CreateWith, RunStore } from './runs.ts';

export interface StartRunOptions extends StartFlowOptions {
  /** A write made with the run by its own create script (a schedule's fire records its occurrence). */
  createWith?: CreateWith;
  /**
   * The caller runs the first entry step itself (a worker's marker job, for a flow it hosts);
   * the other entry steps are enqueued. Only for a new run: an existing one is repaired as usual.
   */
  holdEntryStep?: boolean;
}

/** The create's own write refused (a fire's check against its schedule failed; see fire.ts):
 * nothing was written. */
export class FireCheckRefused extends Error {
  constructor() {
    super('the schedule is not as this fire last read it');
  }
}

export interface StartedRun extends StartFlowResponse {
  /** The entry step the caller now runs, already marked started (see `holdEntryStep`). */
  heldStep?: string;
  /** Whether the create's own write was made now (for a fire's occurrence, false: this fire was
   * recorded before). */
  recorded: boolean;
}

/**
 * The one way a run begins, whether from the API, the console or a schedule's marker
 * job: validate the input against the published schema, write the run (record, index
 * entry, `run.started`) atomically, then enqueue the entry steps.
 */
export function createStartFlow(
  registry: Registry,
  runs: RunStore,
  queues: Queues,
  /** Manifests of the flows this process hosts: a worker starting its own flows skips a read. */
  hosted: ReadonlyMap<string, FlowManifest> = new Map(),
) {
  /**
   * The manifest to check the input against. A flow this process hosts is its own; another is
   * the last one read, whose version the create script checks (`fresh` reads it again).
   */
  async function manifestOf(flowName: string, fresh: boolean) {
    const own = hosted.get(flowName);
    if (own) return { manifest: own, version: undefined };
    const { manifest, version } = await registry.lastManifest(flowName, fresh);
    return { manifest, version };
  }

  function checkInput(flowName: string, manifest: FlowManifest, input: unknown) {
    const errors = inputErrors(manifest.inputSchema, input);
    if (errors.length > 0) throw new InputInvalidError(describeInputErrors(flowName, errors), errors);
  }

  /** Checks the input and writes the run; `stale` when a worker published a newer manifest since. */
  async function checkAndCreate(
    flowName: string,
    input: unknown,
    options: StartRunOptions,
    manifestCheck: 'cached' | 'fresh' | 'none',
  ) {
    const { manifest, version } = await manifestOf(flowName, manifestCheck !== 'cached');
    checkInput(flowName, manifest, input);
    const [held, ...others] = options.holdEntryStep ? manifest.entrySteps : [];
    const result = await runs.create({
      flowName,
      input,
      trigger: options.trigger,
      steps: manifest.steps.map(({ name, needs }) => ({ name, needs })),
      idempotencyKey: options.idempotencyKey,
      idempotencyTtlMs: options.idempotencyTtlMs,
      heldStep: held,
      createWith: options.createWith,
      manifestVersion: manifestCheck === 'none' ? undefined : version,
    });
    return { manifest, held, others, result };
  }

  /**
   * A plain start (no idempotency key, held step or write of its own) sends the run's create and its
   * entry step jobs together, a round trip less. They share one connection, on which Redis runs
   * the create first, so no worker finds a step job before its run; that holds only while the
   * create script is loaded there (a NOSCRIPT retry would come after the jobs). Returns undefined
   * when the manifest was stale: the jobs then name a run that was never created and are removed
   * (a worker that took one first finds no run and drops it; see StepJob.newRun), and the start
   * is made again the careful way.
   */
  async function createAndEnqueue(flowName: string, input: unknown, options: StartRunOptions) {
    const { manifest, version } = await manifestOf(flowName, false);
    checkInput(flowName, manifest, input);
    const runId = newRunId();
    const [result] = await Promise.all([
      runs.create({
        runId,
        flowName,
        input,
        trigger: options.trigger,
        steps: manifest.steps.map(({ name, needs }) => ({ name, needs })),
        manifestVersion: version,
      }),
      queues.enqueueSteps(manifest, runId, manifest.entrySteps, { input, version }),
    ]);
    if (result.stale) {
      await queues.removeStepJobs(flowName, runId, manifest.entrySteps);
      return undefined;
    }
    // Redis lost its scripts meanwhile and the create ran after the jobs: enqueue again in case
    // a worker took a job first and dropped it (a no-op while the jobs are still there).
    if (!runs.createRunsFirst()) await queues.enqueueSteps(manifest, runId, manifest.entrySteps);
    return { runId, flowName, status: 'queued' as const, created: true, recorded: false };
  }

  async function startRun(flowName: string, input: unknown, options: StartRunOptions): Promise<StartedRun> {
    if (
      options.idempotencyKey !== undefined &&
      (options.idempotencyKey.length === 0 || options.idempotencyKey.length > 200)
    ) {
      throw new InvalidRequestError('idempotency key: expected 1 to 200 characters');
    }
    let manifestCheck: 'cached' | 'fresh' = 'cached';
    const plain = !options.idempotencyKey && !options.holdEntryStep && !options.createWith;
    if (plain && runs.createRunsFirst()) {
      const started = await createAndEnqueue(flowName, input, options);
      if (started) return started;
      manifestCheck = 'fresh';
    }
    let attempt = await checkAndCreate(flowName, input, options, manifestCheck);
    // A new manifest was published since it was read: check the input against that one. A third
    // try (a publish in between again) no longer checks.
    if (attempt.result.stale) attempt = await checkAndCreate(flowName, input, options, 'fresh');
    if (attempt.result.stale) attempt = await checkAndCreate(flowName, input, options, 'none');
    const { manifest, held, others, result } = attempt;
    if (result.stale) throw new Error('run creation refused an unchecked manifest');
    if (result.refused) throw new FireCheckRefused();
    const { runId, created, recorded } = result;
    if (created) {
      if (held === undefined) await queues.enqueueSteps(manifest, runId, manifest.entrySteps, { input });
      else await queues.enqueueSteps(manifest, runId, others);
      if (held === undefined) return { runId, flowName, status: 'queued', created, recorded };
      return { runId, flowName, status: 'running', created, recorded, heldStep: held };
    }
    // A repeated call with the same key re-enqueues the entry steps of a run that has not
    // ended: step job ids are deterministic, so this repairs a lost enqueue (or an entry step
    // whose marker job died with its worker) and is a no-op or a harmless redelivery otherwise.
    // A fire recorded before without a run (skipped or failed then) names none: nothing to repair.
    const status = runId ? await runs.status(flowName, runId) : null;
    if (status === 'queued' || status === 'running') {
      await queues.enqueueSteps(manifest, runId, manifest.entrySteps);
    }
    return { runId, flowName, status: status ?? 'queued', created, recorded };
  }

  return {
    startRun,
    startFlow: async (
      flowName: string,
      input: unknown,
      options: StartFlowOptions,
    ): Promise<StartFlowResponse> => {
      const { runId, status, created } = await startRun(flowName, input, options);
      return { runId, flowName, status, created };
    },
  };
}

export type StartRun = ReturnType<typeof createStartFlow>['startRun'];
export type StartFlow = ReturnType<typeof createStartFlow>['startFlow'];
