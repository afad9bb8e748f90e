import { z } from 'zod';
import { FlowName, Millis } from './common.ts';

/** True when the runtime knows the IANA zone; works in Node and in browsers. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const CronPattern = z
  .string()
  .trim()
  .max(200)
  .superRefine((value, ctx) => {
    const fields = value.split(/\s+/).filter(Boolean).length;
    if (fields !== 5 && fields !== 6) {
      ctx.addIssue({ code: 'custom', message: `expected 5 or 6 fields, got ${fields}` });
    }
  });

export const TimeZone = z
  .string()
  .max(64)
  .superRefine((tz, ctx) => {
    if (!isTimeZone(tz)) ctx.addIssue({ code: 'custom', message: `unknown time zone '${tz}'` });
  });

const IsoDateTime = z.iso.datetime({
  offset: true,
  message: 'expected an ISO 8601 date-time, e.g. 2030-01-01T09:00:00Z',
});

export const ScheduleMetadata = z
  .object({
    description: z.string().max(500).optional(),
    createdBy: z.string().max(100).optional(),
    tags: z.array(z.string().min(1).max(40)).max(20).optional(),
  })
  .strict();
export type ScheduleMetadata = z.infer<typeof ScheduleMetadata>;

/** An edit of the metadata: each field given replaces the stored one, `null` removes it. */
export const ScheduleMetadataPatch = z
  .object({
    description: ScheduleMetadata.shape.description.unwrap().nullable().optional(),
    createdBy: ScheduleMetadata.shape.createdBy.unwrap().nullable().optional(),
    tags: ScheduleMetadata.shape.tags.unwrap().nullable().optional(),
  })
  .strict();
export type ScheduleMetadataPatch = z.infer<typeof ScheduleMetadataPatch>;

export const OverlapPolicy = z.enum(['allow', 'skip']);
export type OverlapPolicy = z.infer<typeof OverlapPolicy>;

/** The fields that say when a schedule fires, shared by create, edit and preview. */
const ScheduleSpecFields = {
  cron: CronPattern.optional(),
  tz: TimeZone.optional(),
  every: z
    .number()
    .int()
    .min(1000, 'must be at least 1000 ms')
    .max(366 * 24 * 3600 * 1000)
    .optional(),
  delay: z
    .number()
    .int()
    .min(0)
    .max(366 * 24 * 3600 * 1000)
    .optional(),
  at: IsoDateTime.optional(),
};

const ScheduleOptionFields = {
  input: z.unknown().optional(),
  metadata: ScheduleMetadata.optional(),
  startDate: IsoDateTime.optional(),
  endDate: IsoDateTime.optional(),
  limit: z.number().int().min(1).max(1_000_000).optional(),
  overlap: OverlapPolicy.optional(),
  catchupWindowMs: z
    .number()
    .int()
    .min(0)
    .max(366 * 24 * 3600 * 1000)
    .optional(),
};

type SpecShape = { cron?: unknown; every?: unknown; delay?: unknown; at?: unknown; tz?: unknown };

const SPEC_KINDS = ['cron', 'every', 'delay', 'at'] as const;
export type ScheduleKind = (typeof SPEC_KINDS)[number];

/** Which of cron/every/delay/at a body gives. */
export function specKinds(body: SpecShape): ScheduleKind[] {
  return SPEC_KINDS.filter((kind) => body[kind] !== undefined);
}

/** The window fields only recurring schedules have: a one-time schedule fires once, at its time. */
const RECURRING_ONLY = ['startDate', 'endDate'] as const;

function requireExactlyOneSpec(
  body: SpecShape & { startDate?: unknown; endDate?: unknown },
  ctx: z.RefinementCtx,
) {
  if (specKinds(body).length !== 1) {
    ctx.addIssue({ code: 'custom', message: 'give exactly one of cron, every, delay, at', path: [] });
  }
  if (body.tz !== undefined && body.cron === undefined) {
    ctx.addIssue({ code: 'custom', message: 'tz applies to cron schedules only', path: ['tz'] });
  }
  if (body.delay === undefined && body.at === undefined) return;
  for (const field of RECURRING_ONLY) {
    if (body[field] === undefined) continue;
    const message = `${field} applies to cron and every schedules only; a one-time schedule fires once, at its delay or at`;
    ctx.addIssue({ code: 'custom', message, path: [field] });
  }
}

export const CreateScheduleRequest = z
  .object({ ...ScheduleSpecFields, ...ScheduleOptionFields, jobId: z.string().min(1).max(200).optional() })
  .strict()
  .superRefine(requireExactlyOneSpec);
export type CreateScheduleRequest = z.infer<typeof CreateScheduleRequest>;

/**
 * PATCH, with JSON Merge Patch semantics: a field left out stays as it is, a field given replaces
 * it, and `null` clears an optional one (so a client can write back what it read). A new spec
 * (cron/every/delay/at) replaces the old one.
 */
export const UpdateScheduleRequest = z
  .object({
    ...ScheduleSpecFields,
    ...ScheduleOptionFields,
    metadata: ScheduleMetadataPatch.optional(),
    startDate: ScheduleOptionFields.startDate.unwrap().nullable().optional(),
    endDate: ScheduleOptionFields.endDate.unwrap().nullable().optional(),
    limit: ScheduleOptionFields.limit.unwrap().nullable().optional(),
    catchupWindowMs: ScheduleOptionFields.catchupWindowMs.unwrap().nullable().optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (specKinds(body).length > 1) {
      ctx.addIssue({ code: 'custom', message: 'give at most one of cron, every, delay, at', path: [] });
    }
  });
export type UpdateScheduleRequest = z.infer<typeof UpdateScheduleRequest>;

export const PreviewScheduleRequest = CreateScheduleRequest;
export type PreviewScheduleRequest = CreateScheduleRequest;

export const PauseScheduleRequest = z.object({ reason: z.string().max(500).optional() }).strict();
export type PauseScheduleRequest = z.infer<typeof PauseScheduleRequest>;

export const ScheduleSpec = z.object({
  cron: z.string().optional(),
  tz: z.string().optional(),
  every: z.number().int().optional(),
  delay: z.number().int().optional(),
  at: z.string().optional(),
});
export type ScheduleSpec = z.infer<typeof ScheduleSpec>;

export const ScheduleStatus = z.enum(['active', 'paused', 'completed']);
export type ScheduleStatus = z.infer<typeof ScheduleStatus>;

export const Schedule = z.object({
  id: z.string(),
  flowName: FlowName,
  queue: z.string(),
  step: z.string(),
  schedule: ScheduleSpec,
  status: ScheduleStatus,
  pausedReason: z.string().nullable().optional(),
  nextRun: Millis.nullable(),
  input: z.unknown(),
  metadata: ScheduleMetadata,
  stats: z.object({ count: z.number().int().nonnegative(), lastRun: Millis.nullable() }),
  overlap: OverlapPolicy,
  catchupWindowMs: z.number().int().nullable(),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  limit: z.number().int().nullable(),
  jobId: z.string().nullable(),
  version: z.number().int().positive(),
  createdAt: Millis,
  updatedAt: Millis,
});
export type Schedule = z.infer<typeof Schedule>;

export const ScheduleList = z.array(Schedule);
export type ScheduleList = z.infer<typeof ScheduleList>;

/**
 * `failed`: the fire could not start a run (e.g. the flow's input schema changed); see `error`.
 * `skipped-paused`: the fire was due when the schedule was paused, and was not run.
 * `missed-catchup`: picked up later than the schedule's `catchupWindowMs`.
 * `missed-overload`: picked up after the schedule's next fire was due while the workers were
 * behind (the flow's queue had jobs waiting throughout); the newer fire runs instead.
 * `queued`: only in a "run now" answer: the fire is on its way to a worker.
 */
export const OccurrenceOutcome = z.enum([
  'started',
  'skipped-overlap',
  'skipped-paused',
  'missed-catchup',
  'missed-overload',
  'duplicate',
  'failed',
  'queued',
]);
export type OccurrenceOutcome = z.infer<typeof OccurrenceOutcome>;

export const Occurrence = z.object({
  scheduledFor: Millis,
  firedAt: Millis,
  outcome: OccurrenceOutcome,
  runId: z.string().optional(),
  manual: z.boolean().optional(),
  error: z.string().optional(),
});
export type Occurrence = z.infer<typeof Occurrence>;

export const ScheduleDetail = Schedule.extend({
  upcoming: z.array(Millis),
  recent: z.object({ items: z.array(Occurrence), nextCursor: z.string().nullable() }),
});
export type ScheduleDetail = z.infer<typeof ScheduleDetail>;

export const SchedulePreview = z.object({
  description: z.string(),
  nextRuns: z.array(Millis),
  warnings: z.array(z.string()),
});
export type SchedulePreview = z.infer<typeof SchedulePreview>;

/** Without `limit`, every matching schedule; with it, one page (flows by name, each oldest first). */
export const ListSchedulesQuery = z.object({
  flowName: FlowName.optional(),
  tag: z.string().max(40).optional(),
  status: ScheduleStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(200).optional(),
});
export type ListSchedulesQuery = z.infer<typeof ListSchedulesQuery>;

export const DeleteScheduleResponse = z.object({ success: z.literal(true), message: z.string() });
export type DeleteScheduleResponse = z.infer<typeof DeleteScheduleResponse>;

export const TriggerScheduleResponse = z.object({ occurrence: Occurrence });
export type TriggerScheduleResponse = z.infer<typeof TriggerScheduleResponse>;
