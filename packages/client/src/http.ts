import { Problem } from '@flowdeck/types';
import type { z } from 'zod';
import { FlowdeckApiError, networkError } from './errors.ts';

export interface ClientOptions {
  /** Where the API is, e.g. `http://127.0.0.1:3000`; empty in a browser page served by it. */
  baseUrl?: string;
  /** A bearer token, or a function asked before every call (for a token that can change). */
  token?: string | (() => string | null | undefined);
  /** Another fetch (a test double, a proxy agent); the global one by default. */
  fetch?: typeof fetch;
}

export type Query = Record<string, string | number | undefined>;

export interface Call {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Sends calls to one API: the URL, the token, JSON in and out, problem+json into errors. */
export interface Transport {
  url(path: string, query?: Query): string;
  /** The raw response of a successful call; a failed one throws FlowdeckApiError. */
  send(call: Call): Promise<Response>;
  /** The response body parsed with `schema`. */
  json<T>(schema: z.ZodType<T>, call: Call): Promise<T>;
  /** One page of a list paged with a `Link: <…&cursor=…>; rel="next"` header, and that cursor. */
  linkedPage<T>(schema: z.ZodType<T>, call: Call): Promise<{ items: T; nextCursor: string | null }>;
}

export function createTransport(options: ClientOptions = {}): Transport {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const token = () => (typeof options.token === 'function' ? options.token() : options.token);

  const url = (path: string, query: Query = {}) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return `${baseUrl}${path}${search ? `?${search}` : ''}`;
  };

  async function send(call: Call): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    const target = url(call.path, call.query);
    let response: Response;
    try {
      response = await doFetch(target, { method: call.method ?? 'GET', headers, body, signal: call.signal });
    } catch (error) {
      if (call.signal?.aborted) throw error;
      throw networkError(baseUrl || target, error);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  async function json<T>(schema: z.ZodType<T>, call: Call): Promise<T> {
    return parseBody(schema, call, await send(call));
  }

  async function linkedPage<T>(schema: z.ZodType<T>, call: Call) {
    const response = await send(call);
    const items = await parseBody(schema, call, response);
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    const nextCursor = next ? new URL(next, 'http://flowdeck').searchParams.get('cursor') : null;
    return { items, nextCursor };
  }

  async function parseBody<T>(schema: z.ZodType<T>, call: Call, response: Response): Promise<T> {
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new FlowdeckApiError(
      `Unexpected response from ${call.path}${where}: ${issue?.message ?? 'invalid'}`,
      response.status,
      null,
      response.headers.get('x-request-id'),
      'invalid_response',
    );
  }

  return { url, send, json, linkedPage };
}

/** The server's problem+json as an error, or a plain one when something else answered. */
export async function errorFrom(response: Response): Promise<FlowdeckApiError> {
  const text = await response.text().catch(() => '');
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a proxy or a crashed server answered.
  }
  const requestId = response.headers.get('x-request-id');
  const problem = Problem.safeParse(body);
  if (problem.success) {
    const { detail, title, requestId: bodyId } = problem.data;
    return new FlowdeckApiError(detail || title, response.status, problem.data, bodyId ?? requestId);
  }
  const message = [502, 503, 504].includes(response.status)
    ? 'The Flowdeck API is unavailable right now. Is it running?'
    : `The server answered ${response.status} ${response.statusText}`.trim();
  return new FlowdeckApiError(message, response.status, null, requestId);
}
