import { Problem } from '@flowdeck/types';
import { z } from 'zod';
import packageJson from '../../package.json' with { type: 'json' };
import type { RouteDoc } from '../route-builder.ts';
import { type Components, createComponents } from './components.ts';
import { openApiPath, parametersOf } from './parameters.ts';
import { errorStatuses, problemResponse } from './problems.ts';

type JsonSchema = Record<string, unknown>;

const DESCRIPTION = `Start, schedule and watch Flowdeck flows.

Every error is \`application/problem+json\` (RFC 9457) with a stable \`code\` to branch on,
and a \`requestId\` that is also in the server's logs.

When the server has tokens configured, send one as \`Authorization: Bearer <token>\`. Each
operation names the scope it needs in \`x-required-scope\`: \`read\` (see flows, runs,
schedules), \`operate\` (start runs, change schedules; includes read) or \`admin\`
(everything, including the audit trail and the token list). Writes are limited per token per
minute (429 with \`Retry-After\`).`;

const SECURITY_SCHEMES = {
  bearerAuth: { type: 'http', scheme: 'bearer', description: 'A token configured in FLOWDECK_TOKENS.' },
};

/** The OpenAPI 3.1 document of a route table; built from the table alone, so it cannot drift from it. */
export function buildOpenApiDocument(routes: readonly RouteDoc[]) {
  const components = createComponents();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route, components) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Flowdeck API', version: packageJson.version, description: DESCRIPTION },
    tags: [
      { name: 'Flows', description: 'Flows the workers publish, and starting runs.' },
      { name: 'Runs', description: 'Runs, their steps and their events.' },
      { name: 'Schedules', description: 'Cron, interval and one-time schedules.' },
      { name: 'Access', description: 'Who is calling, the tokens and the audit trail.' },
      { name: 'System', description: 'Health and this document.' },
    ],
    paths,
    components: { schemas: components.schemas(), securitySchemes: SECURITY_SCHEMES },
  };
}

function operation(route: RouteDoc, components: Components) {
  const parameters = [
    ...parametersOf(route.params, 'path'),
    ...parametersOf(route.query, 'query'),
    ...Object.entries(route.headers).map(([name, description]) => ({
      name,
      in: 'header',
      required: false,
      description,
      schema: { type: 'string' },
    })),
  ];
  const problemRef = components.ref(Problem, 'output')!;
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    responses[status] = successResponse(route, schema ?? null, components);
  }
  for (const status of errorStatuses(route)) responses[String(status)] = problemResponse(status, problemRef);
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: [route.description, accessNote(route)].filter(Boolean).join('\n\n'),
    tags: [tagOf(route.path)],
    security: route.scope === 'public' ? [] : [{ bearerAuth: [] }],
    'x-required-scope': route.scope,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body === undefined ? {} : { requestBody: requestBody(route.body, components) }),
    responses,
  };
}

function successResponse(route: RouteDoc, schema: z.ZodType | null, components: Components) {
  if (schema === null) return { description: 'No content' };
  const content: Record<string, unknown> = {
    'application/json': { schema: schemaOf(schema, 'output', components) },
  };
  if (route.eventStream) {
    content['text/event-stream'] = {
      schema: { type: 'string', description: 'Server-Sent Events; each `data:` line is one JSON object.' },
    };
  }
  return { description: route.summary, content };
}

/**
 * A body a client may leave out is a `z.preprocess` in front of its schema: documented as
 * that schema, not required.
 */
function requestBody(schema: z.ZodType, components: Components) {
  const optional = schema instanceof z.ZodPipe && schema.in instanceof z.ZodTransform;
  const documented = optional ? (schema.out as z.ZodType) : schema;
  return {
    required: !optional,
    content: { 'application/json': { schema: schemaOf(documented, 'input', components) } },
  };
}

function schemaOf(schema: z.ZodType, io: 'input' | 'output', components: Components): JsonSchema {
  const ref = components.ref(schema, io);
  if (ref) return ref;
  const { $schema: _, ...inline } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  return inline;
}

/** Who may call the route, as the reference shows it to people. */
function accessNote(route: RouteDoc): string {
  if (route.scope === 'public') return 'Public: no token needed.';
  const limit = route.audit ? ' Recorded in the audit trail; counts against the write rate limit.' : '';
  return `Needs a token with the \`${route.scope}\` scope (when the server has tokens).${limit}`;
}

function tagOf(path: string): string {
  if (/\/schedules?(\/|$)/.test(path)) return 'Schedules';
  if (path.includes('/runs')) return 'Runs';
  if (path.startsWith('/api/_flows')) return 'Flows';
  if (/^\/api\/(auth|_tokens|_audit)/.test(path)) return 'Access';
  return 'System';
}
