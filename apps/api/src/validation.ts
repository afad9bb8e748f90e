import { InvalidRequestError } from '@flowdeck/engine';
import { describeIssue, type FieldError } from '@flowdeck/types';
import type { z } from 'zod';

export type RequestPart = 'params' | 'query' | 'body' | 'headers';

/**
 * Parses one part of a request with its shared schema, or throws the 400 every route
 * answers: `errors` name each field (`body.cron`), `detail` reads as a sentence a person
 * can act on ("cron: expected 5 or 6 fields, got 4").
 */
export function parsePart<S extends z.ZodType>(part: RequestPart, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value, { error: describeIssue });
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const detail = result.error.issues.map((issue) => sentence(part, issue)).join('; ');
  throw new InvalidRequestError(detail, errors);
}

/** "cron: expected 5 or 6 fields, got 4"; a whole-request rule ("give exactly one of ...") stands alone. */
function sentence(part: RequestPart, issue: z.core.$ZodIssue): string {
  if (issue.path.length > 0) return `${issue.path.join('.')}: ${issue.message}`;
  return issue.code === 'custom' ? issue.message : `${part}: ${issue.message}`;
}
