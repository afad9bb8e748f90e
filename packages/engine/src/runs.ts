import type { ListRunsQuery } from '@flowdeck/types';
import type { EngineContext } from './context.ts';
import { createRun, createRunsFirst, type NewRun } from './runs/create.ts';
import { forgetUnstarted, getRun, listRuns, runStatus, unstartedRuns } from './runs/read.ts';
import { recordStepCompleted, recordStepFailed, recordStepStarted, type StepFailure } from './runs/steps.ts';

/**
 * The run store: records, the per-flow run index and the state transitions of a run. Each
 * operation is a function of the engine context in runs/ (create, steps, read); the store binds
 * them to one context, so a caller that writes on another connection (the step runner) makes a
 * store of its own.
 */

export {
  type CreateResult,
  type CreateWith,
  extendWrite,
  type GraphStep,
  type NewRun,
} from './runs/create.ts';
export type { StepFailure, StepStart } from './runs/steps.ts';

export function createRunStore(ctx: EngineContext) {
  return {
    create: (run: NewRun) => createRun(ctx, run),
    createRunsFirst: () => createRunsFirst(ctx),
    stepStarted: (flow: string, runId: string, step: string, attempt: number, needs: string[]) =>
      recordStepStarted(ctx, flow, runId, step, attempt, needs),
    stepCompleted: (
      flow: string,
      runId: string,
      step: string,
      attempt: number,
      output: unknown,
      graph: { dependants: string[]; sinks: string[] },
      startedAt?: number,
    ) => recordStepCompleted(ctx, flow, runId, step, attempt, output, graph, startedAt),
    stepFailed: (flow: string, runId: string, failure: StepFailure) =>
      recordStepFailed(ctx, flow, runId, failure),
    get: (flow: string, runId: string) => getRun(ctx, flow, runId),
    list: (flow: string, query: ListRunsQuery) => listRuns(ctx, flow, query),
    status: (flow: string, runId: string) => runStatus(ctx, flow, runId),
    unstarted: (flow: string, before: number, limit: number) => unstartedRuns(ctx, flow, before, limit),
    forgetUnstarted: (flow: string, runIds: string[]) => forgetUnstarted(ctx, flow, runIds),
  };
}

export type RunStore = ReturnType<typeof createRunStore>;
