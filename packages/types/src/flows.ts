import { z } from 'zod';
import { FlowName, Millis, StepName } from './common.ts';

export const RetryPolicy = z.object({
  attempts: z.number().int().min(1).max(100),
  backoff: z.object({
    type: z.enum(['fixed', 'exponential']),
    delayMs: z.number().int().nonnegative(),
  }),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

export const StepManifest = z.object({
  name: StepName,
  needs: z.array(StepName),
  retry: RetryPolicy,
  timeoutMs: z.number().int().positive(),
});
export type StepManifest = z.infer<typeof StepManifest>;

/** What a worker publishes about each flow it hosts; the API knows flows only from this. */
export const FlowManifest = z.object({
  name: FlowName,
  description: z.string(),
  queue: z.string(),
  steps: z.array(StepManifest),
  entrySteps: z.array(StepName),
  /** JSON Schema (draft 2020-12) of the input, or null when the flow takes any JSON. */
  inputSchema: z.record(z.string(), z.unknown()).nullable(),
});
export type FlowManifest = z.infer<typeof FlowManifest>;

export const WorkerInfo = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  flows: z.array(FlowName),
  concurrency: z.number().int().positive(),
  startedAt: Millis,
  heartbeatAt: Millis,
  live: z.boolean(),
});
export type WorkerInfo = z.infer<typeof WorkerInfo>;

export const Flow = FlowManifest.extend({
  /** True when at least one worker with a fresh heartbeat hosts this flow. */
  live: z.boolean(),
  workers: z.array(WorkerInfo),
});
export type Flow = z.infer<typeof Flow>;

export const FlowList = z.array(Flow);
export type FlowList = z.infer<typeof FlowList>;
