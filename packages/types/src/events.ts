import { z } from 'zod';
import { Millis, StepName } from './common.ts';
import { ErrorInfo } from './runs.ts';

export const RunEventType = z.enum([
  'run.started',
  'step.started',
  'step.log',
  'step.retry',
  'step.completed',
  'step.failed',
  'step.skipped',
  'run.completed',
  'run.failed',
  'run.canceled',
  'run.retried',
  'run.replayed',
]);
export type RunEventType = z.infer<typeof RunEventType>;

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevel>;

/** One event of a run; `id` is its position in the run (from 1), usable as a resume cursor. */
export const RunEvent = z.object({
  id: z.string(),
  type: RunEventType,
  at: Millis,
  step: StepName.optional(),
  attempt: z.number().int().positive().optional(),
  level: LogLevel.optional(),
  message: z.string().optional(),
  data: z.unknown().optional(),
  error: ErrorInfo.optional(),
  /** For step.retry: when the next attempt is due. */
  retryAt: Millis.optional(),
});
export type RunEvent = z.infer<typeof RunEvent>;

export const RunEventList = z.object({ items: z.array(RunEvent) });
export type RunEventList = z.infer<typeof RunEventList>;

/** Events after which a run changes no more, unless it is retried (`run.retried`). */
export const TERMINAL_RUN_EVENTS: readonly RunEventType[] = ['run.completed', 'run.failed', 'run.canceled'];
