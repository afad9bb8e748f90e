import { z } from 'zod';
import { FlowName, Millis, StepName } from './common.ts';

export const RunStatus = z.enum(['queued', 'running', 'completed', 'failed', 'canceled']);
export type RunStatus = z.infer<typeof RunStatus>;

export const StepStatus = z.enum(['pending', 'running', 'completed', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

export const TriggerType = z.enum(['manual', 'api', 'schedule']);
export type TriggerType = z.infer<typeof TriggerType>;

export const Trigger = z.object({
  type: TriggerType,
  scheduleId: z.string().optional(),
  /** The planned fire time of the schedule occurrence that started the run. */
  scheduledFor: Millis.optional(),
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

export const StartFlowResponse = z.object({
  runId: z.string(),
  flowName: FlowName,
  status: RunStatus,
  /** False when an idempotency key matched an earlier run and nothing new was created. */
  created: z.boolean(),
});
export type StartFlowResponse = z.infer<typeof StartFlowResponse>;
