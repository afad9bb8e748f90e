import type { z } from 'zod';

/**
 * Plainer words than zod's defaults for the issues people hit most; custom messages win. The
 * error map for checking a request with its schema, `schema.safeParse(body, { error: describeIssue })`,
 * so that a client words a mistake as the API does.
 */
export function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
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
