import { z } from 'zod';

/** Flow and step names appear in URLs and Redis keys, so they are kept to a safe alphabet. */
export const FlowName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use 1-64 lowercase letters, digits, "-" or "_"')
  .refine((name) => name !== 'schedules', 'the name "schedules" is reserved');
export type FlowName = z.infer<typeof FlowName>;

export const StepName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'use 1-64 letters, digits, "-" or "_"');
export type StepName = z.infer<typeof StepName>;

/** Milliseconds since the Unix epoch. */
export const Millis = z.number().int().nonnegative();

/** Any JSON value; inputs and outputs of flows and steps. */
export const JsonValue: z.ZodType<unknown> = z.unknown();
