import { z } from 'zod';

/**
 * The catalog of BullMQ job kinds on a flow's queue. New fields must be optional so jobs
 * queued before a deploy still parse.
 */

/** Runs one step of one run. */
export const StepJob = z.object({
  kind: z.literal('step'),
  runId: z.string(),
  step: z.string(),
  /** Attempts made before this job existed: the entry step's first attempt ran inside its marker job. */
  attemptsBefore: z.number().int().min(0).optional(),
  /** Of those, the attempts made before the run was retried: its retry policy counts after them. */
  retriedAfter: z.number().int().min(0).optional(),
  /**
   * Set on the first job of a new run's only entry step: the run's input, so the step starts
   * without reading its run (see step-runner.ts). With `version`, the job was sent together with
   * the run's create, checked against that manifest version, and the create may have been refused
   * (see start-flow.ts): only a worker hosting that very version starts the step at once. Never set
   * on a job added again for a step.
   */
  newRun: z.object({ input: z.unknown(), version: z.string().optional() }).optional(),
});
export type StepJob = z.infer<typeof StepJob>;

/** A schedule's fire: the worker calls startFlow instead of running a step. */
export const ScheduledStartMarker = z.object({
  __scheduledFlowStart: z.literal(true),
  __flowName: z.string(),
  __flowInput: z.unknown().optional(),
  __scheduleId: z.string(),
  /** Set by "run now": the fire's own planned time. Job schedulers carry it in the job id. */
  __scheduledFor: z.number().optional(),
  __manual: z.boolean().optional(),
});
export type ScheduledStartMarker = z.infer<typeof ScheduledStartMarker>;

export type FlowJob =
  | { type: 'step'; job: StepJob }
  | { type: 'marker'; job: ScheduledStartMarker }
  | { type: 'unknown' };

/**
 * The marker is checked first: a marker job must never reach a step handler. Only the schema
 * the job's tag points to is tried (a failed zod parse is costly, and this runs for every job).
 */
export function classifyJob(data: unknown): FlowJob {
  const tagged = (data ?? {}) as { __scheduledFlowStart?: unknown; kind?: unknown };
  if (tagged.__scheduledFlowStart !== undefined) {
    const marker = ScheduledStartMarker.safeParse(data);
    return marker.success ? { type: 'marker', job: marker.data } : { type: 'unknown' };
  }
  if (tagged.kind !== 'step') return { type: 'unknown' };
  const step = StepJob.safeParse(data);
  return step.success ? { type: 'step', job: step.data } : { type: 'unknown' };
}

/** BullMQ forbids ':' in custom job ids; run ids and step names never contain '.'. */
export const stepJobId = (runId: string, step: string) => `${runId}.${step}`;

export const STEP_JOB_NAME = 'step';
export const MARKER_JOB_NAME = '__scheduledFlowStart';
