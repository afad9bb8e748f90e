import type { FlowManifest, StartFlowResponse } from '@flowdeck/types';
import type { StartFlowOptions } from './api.ts';
import { InputInvalidError, InvalidRequestError } from './errors.ts';
import { describeInputErrors, inputErrors } from './input-schema.ts';
import type { Queues } from './queues.ts';
import type { Registry } from './registry.ts';
import type { RunStore } from './runs.ts';

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
  return async function startFlow(
    flowName: string,
    input: unknown,
    options: StartFlowOptions,
  ): Promise<StartFlowResponse> {
    const manifest = hosted.get(flowName) ?? (await registry.manifest(flowName));
    const errors = inputErrors(manifest.inputSchema, input);
    if (errors.length > 0) throw new InputInvalidError(describeInputErrors(flowName, errors), errors);
    if (
      options.idempotencyKey !== undefined &&
      (options.idempotencyKey.length === 0 || options.idempotencyKey.length > 200)
    ) {
      throw new InvalidRequestError('idempotency key: expected 1 to 200 characters');
    }
    const { runId, created } = await runs.create({
      flowName,
      input,
      trigger: options.trigger,
      steps: manifest.steps.map(({ name, needs }) => ({ name, needs })),
      idempotencyKey: options.idempotencyKey,
      idempotencyTtlMs: options.idempotencyTtlMs,
    });
    // A repeated call with the same key re-enqueues the entry steps of a run that never
    // started: step job ids are deterministic, so this repairs a lost enqueue and is a
    // no-op otherwise.
    const status = created ? 'queued' : await runs.status(flowName, runId);
    if (status === 'queued') await queues.enqueueSteps(manifest, runId, manifest.entrySteps);
    return { runId, flowName, status: status ?? 'queued', created };
  };
}

export type StartFlow = ReturnType<typeof createStartFlow>;
