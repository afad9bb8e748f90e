import { STATUS_CODES } from 'node:http';
import type { RouteDoc } from '../route-builder.ts';

/** Why each error status happens, as the reference shows it. */
const WHY: Record<number, string> = {
  400: 'The request failed validation (`invalid_request`, with `errors` naming each field) or was not valid JSON.',
  401: 'No token, or not a valid one, on an API that has tokens configured (`unauthorized`).',
  403: 'The token lacks the scope this route needs (`forbidden`), or the `Host` is not one this API answers to (`host_not_allowed`).',
  404: 'The flow, run or schedule named in the path does not exist.',
  405: 'The path exists, but not with this method.',
  409: 'The schedule changed since the version given in `If-Match`, or it has completed.',
  413: 'The body is over 1 MiB.',
  415: 'The body was not sent as JSON.',
  422: "The input does not match the flow's input schema; `errors` names each field.",
  429: 'Too many writes with this token in a minute (`rate_limited`); `Retry-After` says when to try again.',
  500: 'A bug; it was logged with the request id.',
  503: 'Redis cannot be reached right now (`redis_unavailable`); `Retry-After` says when to try again.',
};

/** The error statuses a route may answer: its own, plus those that come with its kind. */
export function errorStatuses(route: RouteDoc): number[] {
  // Any route may refuse the Host; any but a public one refuses a token that is not valid.
  const statuses = new Set([403, 500, 503, ...route.errors]);
  if (route.scope !== 'public') statuses.add(401);
  if (route.audit) statuses.add(429);
  const validates = route.flowScoped || route.body !== undefined || hasFields(route.query);
  if (validates) statuses.add(400);
  if (route.flowScoped) statuses.add(404);
  if (route.body !== undefined) {
    statuses.add(413);
    statuses.add(415);
  }
  return [...statuses].sort((a, b) => a - b);
}

export function problemResponse(status: number, problemRef: { $ref: string }) {
  return {
    description: WHY[status] ?? STATUS_CODES[status] ?? 'Error',
    content: { 'application/problem+json': { schema: problemRef } },
  };
}

function hasFields(schema: RouteDoc['query']): boolean {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape !== undefined && Object.keys(shape).length > 0;
}
