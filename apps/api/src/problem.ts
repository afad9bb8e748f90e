import { STATUS_CODES } from 'node:http';
import type { FieldError, Problem } from '@flowdeck/types';
import type { Response } from 'express';
import { requestIdOf } from './request-id.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemInput {
  status: number;
  code: string;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  requestId?: string;
}

/** The one shape of every 4xx/5xx body (RFC 9457), with a stable `code` clients can branch on. */
export function problem({ status, code, detail, instance, errors, requestId }: ProblemInput): Problem {
  return {
    type: `https://flowdeck.dev/problems/${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance === undefined ? {} : { instance }),
    ...(errors === undefined || errors.length === 0 ? {} : { errors }),
    ...(requestId === undefined ? {} : { requestId }),
  };
}

export function sendProblem(res: Response, input: ProblemInput): void {
  const body = problem({
    instance: res.req.originalUrl.split('?')[0],
    requestId: requestIdOf(res),
    ...input,
  });
  res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
