import {
  type CreateScheduleRequest,
  DeleteScheduleResponse,
  type FieldError,
  Flow,
  FlowList,
  type ListRunsQuery,
  Problem,
  Run,
  RunEvent,
  RunEventList,
  RunList,
  Schedule,
  ScheduleDetail,
  ScheduleList,
  SchedulePreview,
  StartFlowResponse,
  TriggerScheduleResponse,
  type UpdateScheduleRequest,
} from '@flowdeck/types';
import type { z } from 'zod';

/**
 * A failed API call. Carries the server's RFC 9457 problem body when there is one, so the
 * console can show the operator the server's own words (`detail`, field `errors`).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    message: string,
    readonly status: number,
    readonly problem: Problem | null = null,
  ) {
    super(message);
  }

  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }

  get code(): string | undefined {
    return this.problem?.code;
  }
}

/** The message to show a person for any error the console meets. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    // The detail usually names the fields already; add only what it leaves out.
    const extra = error.fieldErrors
      .filter((field) => !error.message.includes(field.message))
      .map((field) => `${field.path}: ${field.message}`);
    return extra.length > 0 ? `${error.message} (${extra.join('; ')})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const BASE = '/api';

function buildUrl(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${BASE}${path}${search ? `?${search}` : ''}`;
}

async function problemFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a proxy or a crashed server answered. Fall through to the generic message.
  }
  const parsed = Problem.safeParse(body);
  if (parsed.success) {
    return new ApiError(parsed.data.detail || parsed.data.title, response.status, parsed.data);
  }
  const fallback =
    response.status === 502 || response.status === 503 || response.status === 504
      ? 'The Flowdeck API is unavailable. Is it running?'
      : `The server answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(fallback, response.status);
}

async function request<T>(schema: z.ZodType<T>, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('Cannot reach the Flowdeck API. Check that it is running.', 0);
  }
  if (!response.ok) throw await problemFrom(response);
  const json: unknown = response.status === 204 ? null : await response.json();
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ApiError(
      `Unexpected response from ${path}${where}: ${issue?.message ?? 'invalid'}`,
      response.status,
    );
  }
  return parsed.data;
}

const flowPath = (flowName: string) => `/_flows/${encodeURIComponent(flowName)}`;
const schedulePath = (flowName: string, id: string) =>
  `${flowPath(flowName)}/schedules/${encodeURIComponent(id)}`;

/** The one typed client of the Flowdeck API; every response is parsed with the shared schemas. */
export const api = {
  flows: {
    list: (signal?: AbortSignal) => request(FlowList, '/_flows', { signal }),
    get: (flowName: string, signal?: AbortSignal) => request(Flow, flowPath(flowName), { signal }),
    /**
     * Starts a run a person asked for (trigger `manual`). The idempotency key makes a repeated
     * submit of the same dialog return the first run instead of starting a second one.
     */
    start: (flowName: string, input: unknown, idempotencyKey: string) =>
      request(StartFlowResponse, `${flowPath(flowName)}/start`, {
        method: 'POST',
        body: input,
        headers: { 'x-flowdeck-trigger': 'manual', 'idempotency-key': idempotencyKey },
      }),
  },
  runs: {
    list: (flowName: string, query: Partial<ListRunsQuery>, signal?: AbortSignal) =>
      request(RunList, `${flowPath(flowName)}/runs`, { query, signal }),
    get: (flowName: string, runId: string, signal?: AbortSignal) =>
      request(Run, `${flowPath(flowName)}/runs/${encodeURIComponent(runId)}`, { signal }),
    events: (flowName: string, runId: string, signal?: AbortSignal) =>
      request(RunEventList, `${flowPath(flowName)}/runs/${encodeURIComponent(runId)}/events`, { signal }),
    /** The URL of the run's live event stream (Server-Sent Events). */
    eventStreamUrl: (flowName: string, runId: string) =>
      buildUrl(`${flowPath(flowName)}/runs/${encodeURIComponent(runId)}/events`, {}),
  },
  schedules: {
    list: (flowName: string, signal?: AbortSignal) =>
      request(ScheduleList, `${flowPath(flowName)}/schedules`, { signal }),
    /** The schedule, its upcoming fires and a page of its occurrences (older ones with `cursor`). */
    get: (flowName: string, id: string, cursor?: string, signal?: AbortSignal) =>
      request(ScheduleDetail, schedulePath(flowName, id), { query: { cursor }, signal }),
    create: (flowName: string, body: CreateScheduleRequest) =>
      request(Schedule, `${flowPath(flowName)}/schedule`, { method: 'POST', body }),
    preview: (flowName: string, body: CreateScheduleRequest, signal?: AbortSignal) =>
      request(SchedulePreview, `${flowPath(flowName)}/schedule/preview`, { method: 'POST', body, signal }),
    update: (flowName: string, id: string, body: UpdateScheduleRequest, version?: number) =>
      request(Schedule, schedulePath(flowName, id), {
        method: 'PATCH',
        body,
        headers: version === undefined ? {} : { 'if-match': String(version) },
      }),
    pause: (flowName: string, id: string) =>
      request(Schedule, `${schedulePath(flowName, id)}/pause`, { method: 'POST', body: {} }),
    resume: (flowName: string, id: string) =>
      request(Schedule, `${schedulePath(flowName, id)}/resume`, { method: 'POST', body: {} }),
    trigger: (flowName: string, id: string) =>
      request(TriggerScheduleResponse, `${schedulePath(flowName, id)}/trigger`, { method: 'POST', body: {} }),
    remove: (flowName: string, id: string) =>
      request(DeleteScheduleResponse, schedulePath(flowName, id), { method: 'DELETE' }),
  },
};

/** Parses one Server-Sent Event's data as a run event; null when it is not one. */
export function parseRunEvent(data: string): RunEvent | null {
  try {
    const parsed = RunEvent.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
