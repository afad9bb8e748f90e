import { InvalidRequestError } from '@flowdeck/engine';
import type { FieldError } from '@flowdeck/types';
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

/** Plainer words than zod's defaults for the issues people hit most; custom messages win. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `required, expected ${article(issue.expected)}`;
      // A query value that could not be coerced arrives as NaN: saying so would not help.
      if (Number.isNaN(issue.input)) return `expected ${article(issue.expected)}`;
      // JSON such as 1e999 parses to Infinity, which no field accepts.
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input))
        return `expected a finite ${issue.expected}, got ${issue.input}`;
      return `expected ${article(issue.expected)}, got ${jsonType(issue.input)}`;
    case 'too_big':
      return issue.origin === 'number'
        ? `must be at most ${issue.maximum}`
        : `must have at most ${issue.maximum} ${unitOf(issue.origin)}`;
    case 'too_small':
      return issue.origin === 'number'
        ? `must be at least ${issue.minimum}`
        : `must have at least ${issue.minimum} ${unitOf(issue.origin)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return undefined;
  }
}

function article(expected: string): string {
  if (expected === 'object') return 'a JSON object';
  if (expected === 'array') return 'an array';
  if (expected === 'int') return 'an integer';
  return `a ${expected}`;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function unitOf(origin: string): string {
  if (origin === 'string') return 'characters';
  if (origin === 'array' || origin === 'set') return 'items';
  return 'entries';
}
