import { z } from 'zod';
import { FlowName, Millis, StepName } from './common.ts';

export const RunStatus = z.enum(['queued', 'running', 'completed', 'failed', 'canceled']);
export type RunStatus = z.infer<typeof RunStatus>;

/** `canceled`: the step was running when its run was canceled; whatever it returns later is ignored. */
export const StepStatus = z.enum(['pending', 'running', 'completed', 'failed', 'skipped', 'canceled']);
export type StepStatus = z.infer<typeof StepStatus>;

/** `replay`: a new run of another run's flow, with its input or an edited one (`of` names it). */
export const TriggerType = z.enum(['manual', 'api', 'schedule', 'replay']);
export type TriggerType = z.infer<typeof TriggerType>;

export const Trigger = z.object({
  type: TriggerType,
  scheduleId: z.string().optional(),
  /** The planned fire time of the schedule occurrence that started the run. */
  scheduledFor: Millis.optional(),
  /** For a replay: the run it replays. */
  of: z.string().optional(),
});
export type Trigger = z.infer<typeof Trigger>;

export const ErrorInfo = z.object({
  message: z.string(),
  name: z.string().optional(),
  step: StepName.optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export const StepState = z.object({
  name: StepName,
  needs: z.array(StepName),
  status: StepStatus,
  attempts: z.number().int().nonnegative(),
  startedAt: Millis.nullable(),
  finishedAt: Millis.nullable(),
  output: z.unknown().optional(),
  error: ErrorInfo.nullable(),
});
export type StepState = z.infer<typeof StepState>;

export const StepCounts = z.object({
  total: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  running: z.number().int().nonnegative(),
});
export type StepCounts = z.infer<typeof StepCounts>;

export const RunSummary = z.object({
  id: z.string(),
  flowName: FlowName,
  status: RunStatus,
  trigger: Trigger,
  createdAt: Millis,
  startedAt: Millis.nullable(),
  finishedAt: Millis.nullable(),
  steps: StepCounts,
  error: ErrorInfo.nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const Run = RunSummary.omit({ steps: true }).extend({
  input: z.unknown(),
  output: z.unknown().optional(),
  stepCounts: StepCounts,
  steps: z.array(StepState),
  /** The runs that replay this one, oldest first. */
  replays: z.array(z.string()),
});
export type Run = z.infer<typeof Run>;

export const RunList = z.object({
  items: z.array(RunSummary),
  nextCursor: z.string().nullable(),
});
export type RunList = z.infer<typeof RunList>;

export const ListRunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  status: RunStatus.optional(),
  scheduleId: z.string().max(200).optional(),
});
export type ListRunsQuery = z.infer<typeof ListRunsQuery>;

/** GET /api/_runs: every flow's runs, newest first; `from`/`to` bound the creation time (ms). */
export const ListAllRunsQuery = ListRunsQuery.extend({
  flowName: FlowName.optional(),
  trigger: TriggerType.optional(),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
}).refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
  message: 'from must not be after to',
  path: ['from'],
});
export type ListAllRunsQuery = z.infer<typeof ListAllRunsQuery>;

export const StartFlowResponse = z.object({
  runId: z.string(),
  flowName: FlowName,
  status: RunStatus,
  /** False when an idempotency key matched an earlier run and nothing new was created. */
  created: z.boolean(),
});
export type StartFlowResponse = z.infer<typeof StartFlowResponse>;

/** POST …/runs/:runId/cancel */
export const CancelRunRequest = z.object({ reason: z.string().max(500).optional() }).strict();
export type CancelRunRequest = z.infer<typeof CancelRunRequest>;

/** POST …/runs/:runId/replay: `input` replaces the original run's input when given. */
export const ReplayRunRequest = z.object({ input: z.unknown().optional() }).strict();
export type ReplayRunRequest = z.infer<typeof ReplayRunRequest>;

export const ReplayRunResponse = StartFlowResponse.extend({ replayOf: z.string() });
export type ReplayRunResponse = z.infer<typeof ReplayRunResponse>;

export const DeleteRunResponse = z.object({ deleted: z.literal(true), runId: z.string() });
export type DeleteRunResponse = z.infer<typeof DeleteRunResponse>;

/** The most runs one bulk request acts on. */
export const BULK_RUNS_MAX = 1000;

export const RunRef = z.object({ flowName: FlowName, runId: z.string().max(200) }).strict();
export type RunRef = z.infer<typeof RunRef>;

export const BulkRunAction = z.enum(['cancel', 'retry', 'replay', 'delete']);
export type BulkRunAction = z.infer<typeof BulkRunAction>;

/**
 * POST /api/_runs/bulk: one action on the runs named in `runs`, or on those `filter` selects (as
 * GET /api/_runs does), at most BULK_RUNS_MAX per call; `reason` goes with a cancel.
 */
export const BulkRunsRequest = z
  .object({
    action: BulkRunAction,
    runs: z.array(RunRef).min(1).max(BULK_RUNS_MAX).optional(),
    filter: z
      .object({
        flowName: FlowName.optional(),
        status: RunStatus.optional(),
        trigger: TriggerType.optional(),
        scheduleId: z.string().max(200).optional(),
        from: Millis.optional(),
        to: Millis.optional(),
      })
      .strict()
      .optional(),
    reason: z.string().max(500).optional(),
  })
  .strict()
  .refine((body) => (body.runs === undefined) !== (body.filter === undefined), {
    message: 'give exactly one of runs and filter',
    path: ['runs'],
  });
export type BulkRunsRequest = z.infer<typeof BulkRunsRequest>;

/** What the action did to one run: `ok`, or the status and problem code it answered with. */
export const BulkRunResult = RunRef.extend({
  ok: z.boolean(),
  /** The run's status after the action (absent after a delete or a failure). */
  runStatus: RunStatus.optional(),
  /** For a replay: the new run. */
  replayRunId: z.string().optional(),
  status: z.number().int().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});
export type BulkRunResult = z.infer<typeof BulkRunResult>;

export const BulkRunsResponse = z.object({
  action: BulkRunAction,
  results: z.array(BulkRunResult),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** With a filter: more runs matched than one call acts on; send the same request again. */
  more: z.boolean(),
});
export type BulkRunsResponse = z.infer<typeof BulkRunsResponse>;
