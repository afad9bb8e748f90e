import { z } from 'zod';

export const FieldError = z.object({
  /** Dotted path into the request, e.g. "body.cron" or "input.retentionDays". */
  path: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

/** RFC 9457 problem details, plus a stable machine-readable `code`. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  instance: z.string().optional(),
  errors: z.array(FieldError).optional(),
  /** The id of the request in the server's logs (also the `x-request-id` header). */
  requestId: z.string().optional(),
});
export type Problem = z.infer<typeof Problem>;

export const Health = z.object({
  status: z.enum(['ok', 'unavailable']),
  redis: z.object({ ok: z.boolean(), latencyMs: z.number().nullable(), error: z.string().optional() }),
  workers: z.object({ live: z.number().int().nonnegative() }),
  version: z.string(),
  uptimeSec: z.number(),
});
export type Health = z.infer<typeof Health>;
