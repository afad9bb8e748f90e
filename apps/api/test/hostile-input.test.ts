import { Problem } from '@flowdeck/types';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, startTestApi, type TestApi } from './helpers.ts';

/**
 * Property tests over every write route and query string of the real API (real engine, real
 * worker, real Redis): random and malformed requests never get a 5xx, every error is
 * problem+json, and a rejected request changes nothing — no schedule record, client jobId,
 * BullMQ job scheduler or pending marker job is left behind, and no run is created.
 * FC_RUNS sets the number of requests per property (FC_SEED replays a failure).
 */

const RUNS = Number(process.env.FC_RUNS ?? 400);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const FLOWS = ['example-flow', 'cleanup-flow', 'flaky-flow'] as const;
const MARKER = '__scheduledFlowStart';
const REQUEST_TIMEOUT_MS = 20_000;

let api: TestApi;
let redis: Redis;
const queues = new Map<string, Queue>();
/** Schedules that exist before each request: ids the path generators aim at. */
let bases: { flow: string; id: string; version: number }[] = [];
/** The state as it was after the previous request. */
let state = '';

beforeAll(async () => {
  api = await startTestApi();
  redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  for (const flow of FLOWS)
    queues.set(flow, new Queue(flow, { connection: redis, prefix: `{${api.prefix}:${flow}}` }));
  await reset();
});

afterAll(async () => {
  await Promise.all([...queues.values()].map((q) => q.close()));
  await redis?.quit();
  await api?.close();
});

// ─── state ─────────────────────────────────────────────────────────────────────────────

/** Everything a schedule write could leave behind, and the newest run of each flow, as text. */
async function snapshot(): Promise<string> {
  const lines: string[] = [];
  for (const flow of FLOWS) {
    for (const s of await api.engine.schedules.list(flow)) {
      lines.push(`schedule ${flow}/${s.id} v${s.version} ${s.status} ${JSON.stringify(s.schedule)}`);
    }
    const queue = queues.get(flow)!;
    for (const s of await queue.getJobSchedulers(0, -1, true)) {
      lines.push(`scheduler ${flow}/${s.key} ${s.pattern ?? s.every} next ${s.next}`);
    }
    for (const job of await queue.getJobs(['delayed', 'waiting', 'prioritized', 'active'])) {
      if (job?.name === MARKER) lines.push(`marker ${flow}/${job.id}`);
    }
    // The client jobId → schedule id map of idempotent creates (see keys.ts).
    const claims = await redis.hgetall(`{${api.prefix}:${flow}}:schedule-job-ids`);
    for (const [jobId, id] of Object.entries(claims)) lines.push(`jobId ${flow}/${jobId} → ${id}`);
    const newest = await api.engine.runs.list(flow, { limit: 1 });
    lines.push(`newest run ${flow}/${newest.items[0]?.id ?? '-'}`);
  }
  return lines.sort().join('\n');
}

/** Waits until no marker job is waiting or running, so fires from an accepted request are over. */
async function settle() {
  for (let i = 0; i < 400; i++) {
    const pending = await Promise.all(
      [...queues.values()].map((q) => q.getJobs(['waiting', 'active', 'prioritized'])),
    );
    if (!pending.flat().some((job) => job?.name === MARKER)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('marker jobs did not settle within 10 s');
}

/** Removes every schedule and trigger, then creates schedules that do not fire during the test. */
async function reset() {
  for (const flow of FLOWS) {
    for (const s of await api.engine.schedules.list(flow)) await api.engine.schedules.remove(flow, s.id);
    const queue = queues.get(flow)!;
    for (const s of await queue.getJobSchedulers(0, -1, true)) await queue.removeJobScheduler(s.key);
    for (const job of await queue.getJobs(['delayed'])) if (job?.name === MARKER) await job.remove();
  }
  await settle();
  const input = { retentionDays: 7 };
  const create = async (flow: string, body: Parameters<TestApi['engine']['schedules']['create']>[1]) => {
    const { schedule } = await api.engine.schedules.create(flow, body);
    return { flow, id: schedule.id, version: schedule.version };
  };
  bases = [
    await create('cleanup-flow', { cron: '0 0 1 1 *', input, metadata: { tags: ['base'] } }),
    await create('cleanup-flow', { at: '2099-01-01T00:00:00Z', input, jobId: 'base-once' }),
    await create('cleanup-flow', { every: 86_400_000, input, overlap: 'skip', limit: 5 }),
    await create('example-flow', { cron: '30 2 * * *', tz: 'Europe/Berlin', input: {} }),
  ];
  await api.engine.schedules.pause('example-flow', bases[3]!.id, 'paused base');
  bases[3]!.version += 1;
  state = await snapshot();
}

// ─── generators ────────────────────────────────────────────────────────────────────────

const nested = (open: string, close: string, depth: number, leaf = '1') =>
  `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

/** Serialises entries as a JSON object, keeping keys such as `__proto__` as own keys. */
const objectText = (entries: [string, string][]) =>
  `{${entries.map(([key, text]) => `${JSON.stringify(key)}:${text}`).join(',')}}`;

const edgeNumber = fc.constantFrom(
  0,
  -0,
  -1,
  1,
  0.5,
  -1e-7,
  999,
  1000,
  1001,
  59_999,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  366 * 24 * 3600 * 1000,
  366 * 24 * 3600 * 1000 + 1,
  1_000_000,
  1_000_001,
);
/** Number literals JSON.stringify cannot produce: they parse to Infinity, lose precision, or fail. */
const numberText = fc.constantFrom(
  '1e999',
  '-1e999',
  '1E400',
  '123456789012345678901234567890',
  '-0.0',
  '1e-400',
);

const hugeString = fc.integer({ min: 500, max: 200_000 }).map((n) => 'ä'.repeat(n));
const weirdString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uFEFF',
    '\u202E',
    'null',
    'undefined',
    'NaN',
    '__proto__',
    '{}',
    '😀'.repeat(50),
  ),
);
const dateString = fc.oneof(
  fc.constantFrom(
    '2030-02-30T00:00:00Z',
    '2030-13-01T00:00:00Z',
    '2030-01-01T24:00:00Z',
    '2030-01-01T00:00:00+25:00',
    '2030-01-01',
    '2030-01-01T00:00:00',
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '2001-01-01T00:00:00Z',
    '2099-01-01T00:00:00Z',
    '2028-02-29T12:00:00Z',
    '2027-02-29T12:00:00Z',
    'yesterday',
    'Invalid Date',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const zone = fc.constantFrom(
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
  'Etc/GMT+12',
  'Etc/GMT-14',
  'Mars/Olympus',
  '',
  ' ',
  'utc',
  'europe/berlin',
  'EST5EDT',
  '+01:00',
  '../../../etc/passwd',
  'Europe/Berlin\u0000',
  'A'.repeat(65),
);
const cronText = fc.oneof(
  fc.constantFrom(
    '* * * * *',
    '* * * * * *',
    '0 0 1 1 *',
    '*/0 * * * *',
    '0 0 31 2 *',
    '0 0 30 2 *',
    '0 0 29 2 *',
    '0 0 29 2 1',
    '60 * * * *',
    '0 25 * * *',
    '0 0 0 * *',
    '0 0 * 13 *',
    '0 0 * * 8',
    '-1 * * * *',
    '1-0 * * * *',
    '*/1000000 * * * *',
    '* * * * * * *',
    '* * * *',
    '@daily',
    '@reboot',
    '0 0 L * *',
    '0 0 * * 7L',
    '0 0 1W * *',
    '0 0 * * 1#5',
    '0 0 ? * *',
    '\t0 0 1 1 *\n',
    '٣ * * * *',
    'a b c d e',
    '0 0 1 JAN-DEC SUN',
    '* * * * *'.repeat(40),
  ),
  fc
    .array(fc.constantFrom('*', '0', '*/5', '1-3', 'L', '#', '?', '60', '-1', ',', '59', '*/0', 'W'), {
      minLength: 1,
      maxLength: 8,
    })
    .map((parts) => parts.join(' ')),
);

/** Any hostile JSON value, as JSON text. */
const anyValueText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), weight: 4 },
  { arbitrary: edgeNumber.map(String), weight: 2 },
  { arbitrary: numberText, weight: 1 },
  { arbitrary: weirdString.map((s) => JSON.stringify(s)), weight: 2 },
  { arbitrary: hugeString.map((s) => JSON.stringify(s)), weight: 1 },
  { arbitrary: dateString.map((s) => JSON.stringify(s)), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(['[', ']'], ['{"a":', '}']), fc.integer({ min: 50, max: 20_000 }))
      .map(([[open, close], depth]) => nested(open!, close!, depth)),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"__proto__":null}',
      '[{"__proto__":[]}]',
    ),
    weight: 1,
  },
);

/** A value aimed at one field: plausible for it, or anything. */
function fieldValue(field: string): fc.Arbitrary<string> {
  const json = <T>(a: fc.Arbitrary<T>) => a.map((v) => JSON.stringify(v));
  const specific: Record<string, fc.Arbitrary<string>> = {
    cron: json(cronText),
    tz: json(zone),
    every: fc.oneof(edgeNumber.map(String), numberText),
    delay: fc.oneof(edgeNumber.map(String), numberText),
    at: json(dateString),
    startDate: json(dateString),
    endDate: json(dateString),
    limit: fc.oneof(edgeNumber.map(String), numberText),
    catchupWindowMs: fc.oneof(edgeNumber.map(String), numberText),
    overlap: json(fc.constantFrom('allow', 'skip', 'queue', 'ALLOW', '', 'skip ')),
    jobId: json(fc.oneof(weirdString, hugeString, fc.constantFrom('base-once', 'a:b{c}', '*', '?'))),
    metadata: fc.oneof(
      json(
        fc.record(
          {
            description: fc.oneof(weirdString, hugeString),
            createdBy: fc.oneof(weirdString, hugeString),
            tags: fc.array(fc.oneof(weirdString, fc.constant('base')), { maxLength: 25 }),
          },
          { requiredKeys: [] },
        ),
      ),
      fc.constantFrom('{"__proto__":{"tags":["x"]}}', '{"tags":"base"}', '{"tags":[1]}', '{"extra":1}'),
    ),
    input: fc.oneof(
      json(fc.record({ retentionDays: fc.oneof(edgeNumber, fc.integer({ min: 1, max: 365 })) })),
      json(
        fc.record({ records: edgeNumber, source: fc.oneof(weirdString, hugeString) }, { requiredKeys: [] }),
      ),
    ),
    reason: json(fc.oneof(weirdString, hugeString)),
  };
  const plausible = Object.hasOwn(specific, field) ? specific[field] : undefined;
  return plausible
    ? fc.oneof({ arbitrary: plausible, weight: 3 }, { arbitrary: anyValueText, weight: 1 })
    : anyValueText;
}

const SPEC_FIELDS = ['cron', 'tz', 'every', 'delay', 'at'];
const OPTION_FIELDS = ['input', 'metadata', 'startDate', 'endDate', 'limit', 'overlap', 'catchupWindowMs'];
const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'cron ', 'CRON'];

/** A JSON object starting from `valid` (or nothing), with 1–4 fields replaced, added or dropped. */
function objectBody(valid: Record<string, unknown>[], fields: string[]): fc.Arbitrary<string> {
  const start = fc.oneof(fc.constantFrom(...valid), fc.constant({}));
  const key = fc.oneof(
    { arbitrary: fc.constantFrom(...fields), weight: 6 },
    { arbitrary: fc.constantFrom(...ODD_KEYS), weight: 2 },
    { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
  );
  const change = key.chain((k) =>
    fc.oneof(
      { arbitrary: fieldValue(k).map((text) => [k, text] as [string, string | null]), weight: 5 },
      { arbitrary: fc.constant([k, null] as [string, string | null]), weight: 1 },
    ),
  );
  return fc.tuple(start, fc.array(change, { minLength: 1, maxLength: 4 })).map(([base, changes]) => {
    const entries = new Map(Object.entries(base).map(([k, v]) => [k, JSON.stringify(v)]));
    for (const [k, text] of changes) {
      if (text === null) entries.delete(k);
      else entries.set(k, text);
    }
    return objectText([...entries]);
  });
}

/** Bodies that are not a JSON object at all, or not JSON. */
const rawBody = fc.oneof(
  anyValueText,
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '',
    '{',
    '{"cron":',
    '{"every":60000,}',
    "{'every':60000}",
    '{"every":NaN}',
    '{"every":0x10}',
    '\uFEFF{"every":60000}',
    '{"every":60000}garbage',
    '{"every":60000}{"every":60000}',
  ),
  fc.constant(`{"padding":"${'x'.repeat(1024 * 1024)}"}`),
);

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 12 },
  {
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      'application/problem+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'multipart/form-data; boundary=x',
      '',
    ),
    weight: 2,
  },
);

/** Header values fetch can send: printable ASCII. */
const headerText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.integer({ min: 201, max: 8000 }).map((n) => 'k'.repeat(n)),
);
const ifMatch = fc.oneof(
  fc.constantFrom(
    '*',
    '"1"',
    'W/"1"',
    '1',
    '2',
    '0',
    '-1',
    '""',
    'W/',
    '"',
    '99999999999999999999',
    '1, 2',
    'null',
  ),
  headerText,
);

/** A path segment that is a real name or id, or something odd. */
function segment(real: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: real, weight: 6 },
    {
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%E0%A4%A',
        '%C0%AF',
        '%00',
        '%2e%2e',
        'a%2Fb',
        '__proto__',
        'constructor',
        'hasOwnProperty',
        'schedules',
        'x'.repeat(201),
        'x'.repeat(5000),
        '%20',
        '*',
        'repeat:x:1',
        'sch_doesnotexist',
      ),
      weight: 3,
    },
    {
      arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
      weight: 2,
    },
  );
}

const flowName = segment(fc.constantFrom(...FLOWS, 'no-such-flow'));
const scheduleId = segment(fc.nat().map((i) => bases[i % bases.length]!.id));
/** The flow a base schedule belongs to, with its id: PATCH and actions aim at real schedules. */
const baseTarget = fc.oneof(
  { arbitrary: fc.nat().map((i) => bases[i % bases.length]!), weight: 4 },
  { arbitrary: fc.tuple(flowName, scheduleId).map(([flow, id]) => ({ flow, id, version: 1 })), weight: 2 },
);

function queryString(keys: string[], value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const pair = fc.tuple(
    fc.oneof(
      { arbitrary: fc.constantFrom(...keys), weight: 5 },
      { arbitrary: fc.constantFrom('__proto__', 'constructor', `${keys[0]}[]`, `${keys[0]}[a]`), weight: 1 },
    ),
    value,
  );
  return fc
    .array(pair, { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));
}
const queryValue = fc.oneof(
  fc.constantFrom(
    '0',
    '1',
    '-1',
    '50',
    '200',
    '201',
    '1e3',
    'NaN',
    'Infinity',
    '0x10',
    '%20',
    '',
    '%',
    '%zz',
  ),
  fc.constantFrom('queued', 'running', 'completed', 'failed', 'canceled', 'active', 'paused', 'base'),
  weirdString.map(encodeURIComponent),
  fc.integer({ min: 199, max: 5000 }).map((n) => 'c'.repeat(n)),
);

// ─── requests ──────────────────────────────────────────────────────────────────────────

interface HostileRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: string;
  headers: Record<string, string>;
}

const withBody = (
  method: HostileRequest['method'],
  path: string,
  body: string | undefined,
  type: string,
  extra: Record<string, string> = {},
): HostileRequest => ({
  method,
  path,
  body,
  headers: { ...(type === '' ? {} : { 'content-type': type }), ...extra },
});

const validCreates = [
  { cron: '0 0 1 1 *', input: { retentionDays: 7 } },
  { every: 86_400_000, input: { retentionDays: 7 } },
  { delay: 3_600_000, input: { retentionDays: 7 } },
  { at: '2099-06-01T00:00:00Z', input: { retentionDays: 7 } },
  {
    cron: '0 9 * * 1-5',
    tz: 'Europe/Berlin',
    input: { retentionDays: 30 },
    metadata: { description: 'weekday cleanup', createdBy: 'ops', tags: ['ops'] },
    overlap: 'skip',
    catchupWindowMs: 60_000,
    limit: 10,
    startDate: '2090-01-01T00:00:00Z',
    endDate: '2099-01-01T00:00:00Z',
  },
];
const createBody = fc.oneof(
  { arbitrary: objectBody(validCreates, [...SPEC_FIELDS, ...OPTION_FIELDS, 'jobId']), weight: 6 },
  { arbitrary: rawBody, weight: 2 },
);
const patchBody = fc.oneof(
  {
    arbitrary: objectBody(
      [{ limit: 3 }, { metadata: { description: 'edited' } }, { cron: '0 0 1 1 *' }, { tz: 'Asia/Tokyo' }],
      [...SPEC_FIELDS, ...OPTION_FIELDS],
    ),
    weight: 6,
  },
  { arbitrary: rawBody, weight: 2 },
);

const createRequest = fc
  .tuple(flowName, createBody, contentType)
  .map(([flow, body, type]) => withBody('POST', `/api/_flows/${flow}/schedule`, body, type));

const previewRequest = fc
  .tuple(flowName, createBody, contentType, queryString(['count'], queryValue))
  .map(([flow, body, type, query]) =>
    withBody('POST', `/api/_flows/${flow}/schedule/preview${query}`, body, type),
  );

const patchRequest = fc
  .tuple(baseTarget, patchBody, contentType, fc.option(ifMatch, { nil: undefined }))
  .map(([target, body, type, tag]) =>
    withBody(
      'PATCH',
      `/api/_flows/${target.flow}/schedules/${target.id}`,
      body,
      type,
      tag === undefined ? {} : { 'if-match': tag },
    ),
  );

const actionRequest = fc
  .tuple(
    baseTarget,
    fc.constantFrom('pause', 'resume', 'trigger', 'delete'),
    fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 2 },
      { arbitrary: objectBody([{}, { reason: 'maintenance' }], ['reason']), weight: 3 },
      { arbitrary: rawBody, weight: 2 },
    ),
    contentType,
  )
  .map(([target, action, body, type]) =>
    action === 'delete'
      ? withBody('DELETE', `/api/_flows/${target.flow}/schedules/${target.id}`, undefined, type)
      : withBody('POST', `/api/_flows/${target.flow}/schedules/${target.id}/${action}`, body, type),
  );

const startRequest = fc
  .tuple(
    flowName,
    fc.oneof(
      objectBody(
        [{ retentionDays: 7 }, { records: 2, source: 'x' }, { failForGood: false }],
        ['retentionDays', 'records', 'source', 'failForGood'],
      ),
      rawBody,
      fc.constant(undefined),
    ),
    contentType,
    fc.option(headerText, { nil: undefined }),
    fc.option(fc.constantFrom('manual', 'api', 'schedule', ''), { nil: undefined }),
  )
  .map(([flow, body, type, key, trigger]) =>
    withBody('POST', `/api/_flows/${flow}/start`, body, type, {
      ...(key === undefined ? {} : { 'idempotency-key': key }),
      ...(trigger === undefined ? {} : { 'x-flowdeck-trigger': trigger }),
    }),
  );

const readRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  fc
    .tuple(flowName, queryString(['limit', 'cursor', 'status', 'scheduleId'], queryValue))
    .map(([flow, q]) => ({ method: 'GET' as const, path: `/api/_flows/${flow}/runs${q}`, headers: {} })),
  fc
    .tuple(flowName, queryString(['limit', 'cursor'], queryValue))
    .map(([flow, q]) => ({ method: 'GET' as const, path: `/api/_flows/${flow}/schedules${q}`, headers: {} })),
  queryString(['flowName', 'tag', 'status'], queryValue).map((q) => ({
    method: 'GET' as const,
    path: `/api/_flows/schedules${q}`,
    headers: {},
  })),
  fc.tuple(baseTarget, queryString(['cursor'], queryValue)).map(([target, q]) => ({
    method: 'GET' as const,
    path: `/api/_flows/${target.flow}/schedules/${target.id}${q}`,
    headers: {},
  })),
  fc
    .tuple(flowName, segment(fc.constantFrom('0mwy8n5xb07ealx33p7')), queryString(['after'], queryValue))
    .map(([flow, runId, q]) => ({
      method: 'GET' as const,
      path: `/api/_flows/${flow}/runs/${runId}${q.length % 2 === 0 ? '/events' : ''}${q}`,
      headers: { 'last-event-id': q.slice(0, 30) },
    })),
  flowName.map((flow) => ({ method: 'GET' as const, path: `/api/_flows/${flow}`, headers: {} })),
  fc
    .tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH'), flowName)
    .map(([method, flow]) => ({ method: method as 'PATCH', path: `/api/_flows/${flow}/runs`, headers: {} })),
);

// ─── the property ──────────────────────────────────────────────────────────────────────

async function send(request: HostileRequest): Promise<{ status: number; type: string; text: string }> {
  const response = await api.fetch(request.path, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

const describeRequest = (r: HostileRequest) =>
  `${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers).slice(0, 200)} body: ${(r.body ?? '(none)').slice(0, 300)}`;

/** Sends the request and checks the answer and, for a rejected write, that nothing changed. */
async function check(request: HostileRequest) {
  const { status, type, text } = await send(request);
  const where = describeRequest(request);
  expect(status, `5xx for ${where}: ${text.slice(0, 500)}`).toBeLessThan(500);
  if (status >= 400) {
    expect(type, `not problem+json for ${where}`).toMatch(/^application\/problem\+json/);
    const problem = Problem.parse(JSON.parse(text));
    expect(problem.status).toBe(status);
  } else if (request.method !== 'GET' && !request.path.includes('/schedule/preview')) {
    // An accepted write changed the state on purpose: start again from known schedules.
    await settle();
    await reset();
    return;
  }
  const after = await snapshot();
  expect(after, `state changed by ${status} ${where}`).toBe(state);
}

async function holds(requests: fc.Arbitrary<HostileRequest>) {
  await fc.assert(
    fc.asyncProperty(requests, (request) => check(request)),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
}

describe('hostile input: no 5xx, problem+json errors, nothing left behind by a rejected request', () => {
  it('creating a schedule with malformed bodies, content types and flow names', () => holds(createRequest));

  it('previewing a schedule with malformed bodies and counts', () => holds(previewRequest));

  it('editing a schedule with malformed bodies and If-Match values', () => holds(patchRequest));

  it('pausing, resuming, triggering and deleting with odd ids and bodies', () => holds(actionRequest));

  it('starting a flow with any body, Idempotency-Key and trigger header', () => holds(startRequest));

  it('reading runs, schedules and events with malformed query strings and path params', () =>
    holds(readRequest));
});
