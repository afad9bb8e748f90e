import {
  CreateScheduleRequest,
  type FieldError,
  type Flow,
  OverlapPolicy,
  type Schedule,
  type UpdateScheduleRequest,
} from '@flowdeck/types';
import { z } from 'zod';
import { initialInputText, jsonSyntaxProblem, parseJsonText } from '../../lib/json-schema-example.ts';
import { BROWSER_TIME_ZONE, fromLocalInputValue, toLocalInputValue } from '../../lib/time.ts';

/**
 * The schedule dialog's form model. The form speaks in operator terms (a preset, "5
 * minutes", a local date-time, JSON text); `toCreateRequest` turns it into the wire body,
 * and validation runs that body through the shared `CreateScheduleRequest` schema, so the
 * console and the API agree on what is valid.
 */

export const CRON_PRESETS = [
  { label: 'Every minute', pattern: '* * * * *' },
  { label: 'Every 5 minutes', pattern: '*/5 * * * *' },
  { label: 'Hourly', pattern: '0 * * * *' },
  { label: 'Daily at 2 AM', pattern: '0 2 * * *' },
  { label: 'Daily at noon', pattern: '0 12 * * *' },
  { label: 'Weekly on Monday at 9 AM', pattern: '0 9 * * 1' },
  { label: 'Monthly on the 1st at midnight', pattern: '0 0 1 * *' },
] as const;
export const CUSTOM_PRESET = 'custom';

export const SCHEDULE_KINDS = [
  { value: 'cron', label: 'Cron' },
  { value: 'every', label: 'Interval' },
  { value: 'delay', label: 'Delay' },
  { value: 'at', label: 'At time' },
] as const;
export type ScheduleFormKind = (typeof SCHEDULE_KINDS)[number]['value'];

export const TIME_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];
const UNIT_MS: Record<TimeUnit, number> = {
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

/** Number inputs give NaN when empty; the kind-specific checks below say what is wrong. */
const amount = z.union([z.number(), z.nan()]);

const ScheduleFormShape = z.object({
  kind: z.enum(['cron', 'every', 'delay', 'at']),
  preset: z.string(),
  cron: z.string(),
  tz: z.string(),
  everyAmount: amount,
  everyUnit: z.enum(TIME_UNITS),
  delayAmount: amount,
  delayUnit: z.enum(TIME_UNITS),
  at: z.string(),
  input: z.string(),
  description: z.string(),
  tags: z.string(),
  overlap: OverlapPolicy,
  catchupWindowSeconds: z.string(),
  startDate: z.string(),
  endDate: z.string(),
  limit: z.string(),
});
export type ScheduleFormValues = z.infer<typeof ScheduleFormShape>;

/** Where an issue on the wire body belongs in the form. */
function formFieldFor(path: readonly PropertyKey[]): keyof ScheduleFormValues | 'root' {
  const [head, next] = path;
  switch (head) {
    case 'cron':
    case 'tz':
    case 'at':
    case 'startDate':
    case 'endDate':
    case 'limit':
    case 'overlap':
    case 'input':
      return head;
    case 'every':
      return 'everyAmount';
    case 'delay':
      return 'delayAmount';
    case 'catchupWindowMs':
      return 'catchupWindowSeconds';
    case 'metadata':
      return next === 'tags' ? 'tags' : 'description';
    default:
      return 'root';
  }
}

/** Form values → the body of `POST /schedule`; throws nothing, validation is separate. */
export function toCreateRequest(values: ScheduleFormValues): CreateScheduleRequest {
  const body: Record<string, unknown> = { ...toSpec(values) };
  const input = parseJsonText(values.input);
  if (input.ok) body.input = input.value;
  const description = values.description.trim();
  const tags = parseTags(values.tags);
  if (description || tags.length > 0) {
    body.metadata = {
      ...(description ? { description } : {}),
      ...(tags.length > 0 ? { tags } : {}),
    };
  }
  body.overlap = values.overlap;
  if (values.catchupWindowSeconds.trim() !== '') {
    body.catchupWindowMs = Math.round(Number(values.catchupWindowSeconds) * 1000);
  }
  const startDate = fromLocalInputValue(values.startDate);
  if (startDate !== null) body.startDate = new Date(startDate).toISOString();
  const endDate = fromLocalInputValue(values.endDate);
  if (endDate !== null) body.endDate = new Date(endDate).toISOString();
  if (values.limit.trim() !== '') body.limit = Number(values.limit);
  return body as CreateScheduleRequest;
}

/** The edit body: like create, but clearing description or tags is sent explicitly. */
export function toUpdateRequest(values: ScheduleFormValues): UpdateScheduleRequest {
  const { jobId: _jobId, ...body } = toCreateRequest(values);
  body.metadata = { description: values.description.trim(), tags: parseTags(values.tags) };
  return body;
}

/** Only the when-does-it-fire part, for the live preview. */
export function toSpec(values: ScheduleFormValues): CreateScheduleRequest {
  switch (values.kind) {
    case 'cron':
      return { cron: values.cron.trim(), tz: values.tz.trim() || 'UTC' };
    case 'every':
      return { every: Math.round(values.everyAmount * UNIT_MS[values.everyUnit]) };
    case 'delay':
      return { delay: Math.round(values.delayAmount * UNIT_MS[values.delayUnit]) };
    case 'at': {
      const at = fromLocalInputValue(values.at);
      return { at: at === null ? values.at : new Date(at).toISOString() };
    }
  }
}

/** The spec for the preview, or null while the form itself already knows it is wrong. */
export function previewSpec(values: ScheduleFormValues): CreateScheduleRequest | null {
  const spec = toSpec(values);
  return CreateScheduleRequest.safeParse(spec).success ? spec : null;
}

export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  return Array.from(new Set(tags));
}

export const ScheduleFormSchema = ScheduleFormShape.superRefine((values, ctx) => {
  if (values.kind === 'cron' && values.cron.trim() === '') {
    ctx.addIssue({ code: 'custom', path: ['cron'], message: 'enter a cron expression' });
    return;
  }
  if (values.kind === 'at') {
    const at = fromLocalInputValue(values.at);
    if (at === null) {
      ctx.addIssue({ code: 'custom', path: ['at'], message: 'choose a date and time' });
      return;
    }
    if (at <= Date.now()) {
      ctx.addIssue({ code: 'custom', path: ['at'], message: 'must be in the future' });
      return;
    }
  }
  if (values.kind === 'every') {
    if (!Number.isFinite(values.everyAmount) || values.everyAmount <= 0) {
      ctx.addIssue({ code: 'custom', path: ['everyAmount'], message: 'enter a number more than 0' });
      return;
    }
    if (values.everyAmount * UNIT_MS[values.everyUnit] < 1000) {
      ctx.addIssue({ code: 'custom', path: ['everyAmount'], message: 'must be at least 1 second' });
      return;
    }
  }
  if (values.kind === 'delay' && (!Number.isFinite(values.delayAmount) || values.delayAmount < 0)) {
    ctx.addIssue({ code: 'custom', path: ['delayAmount'], message: 'enter a number, 0 or more' });
    return;
  }
  const syntax = jsonSyntaxProblem(values.input);
  if (syntax) ctx.addIssue({ code: 'custom', path: ['input'], message: syntax });
  for (const [field, label] of [
    ['catchupWindowSeconds', 'catch-up window'],
    ['limit', 'max runs'],
  ] as const) {
    const text = values[field].trim();
    if (text !== '' && !Number.isFinite(Number(text))) {
      ctx.addIssue({ code: 'custom', path: [field], message: `${label}: enter a number` });
    }
  }
  const parsed = CreateScheduleRequest.safeParse(toCreateRequest(values));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', path: [formFieldFor(issue.path)], message: issue.message });
    }
  }
});

/** Server field errors (`body.cron`, `input.retentionDays`) → the form field they concern. */
export function formFieldForServerError(error: FieldError): keyof ScheduleFormValues | 'root' {
  const path = error.path.replace(/^body\./, '').split('.');
  if (path[0] === 'input') return 'input';
  return formFieldFor(path);
}

function bestUnit(ms: number): { amount: number; unit: TimeUnit } {
  for (const unit of ['days', 'hours', 'minutes'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return { amount: ms / UNIT_MS[unit], unit };
  }
  return { amount: ms / 1000, unit: 'seconds' };
}

export function defaultFormValues(flow: Flow, schedule?: Schedule): ScheduleFormValues {
  const inHour = toLocalInputValue(Date.now() + 3_600_000);
  const base: ScheduleFormValues = {
    kind: 'cron',
    preset: '*/5 * * * *',
    cron: '*/5 * * * *',
    tz: BROWSER_TIME_ZONE,
    everyAmount: 5,
    everyUnit: 'minutes',
    delayAmount: 5,
    delayUnit: 'minutes',
    at: inHour,
    input: initialInputText(flow.inputSchema),
    description: '',
    tags: '',
    overlap: 'allow',
    catchupWindowSeconds: '',
    startDate: '',
    endDate: '',
    limit: '',
  };
  if (!schedule) return base;

  const spec = schedule.schedule;
  const values: ScheduleFormValues = {
    ...base,
    input: initialInputText(flow.inputSchema, schedule.input ?? {}),
    description: schedule.metadata.description ?? '',
    tags: (schedule.metadata.tags ?? []).join(', '),
    overlap: schedule.overlap,
    catchupWindowSeconds: schedule.catchupWindowMs === null ? '' : String(schedule.catchupWindowMs / 1000),
    startDate: schedule.startDate ? toLocalInputValue(Date.parse(schedule.startDate)) : '',
    endDate: schedule.endDate ? toLocalInputValue(Date.parse(schedule.endDate)) : '',
    limit: schedule.limit === null ? '' : String(schedule.limit),
  };
  if (spec.cron !== undefined) {
    const preset = CRON_PRESETS.find((item) => item.pattern === spec.cron);
    return {
      ...values,
      kind: 'cron',
      cron: spec.cron,
      preset: preset?.pattern ?? CUSTOM_PRESET,
      tz: spec.tz ?? 'UTC',
    };
  }
  if (spec.every !== undefined) {
    const { amount: everyAmount, unit: everyUnit } = bestUnit(spec.every);
    return { ...values, kind: 'every', everyAmount, everyUnit };
  }
  if (spec.delay !== undefined) {
    const { amount: delayAmount, unit: delayUnit } = bestUnit(spec.delay);
    return { ...values, kind: 'delay', delayAmount, delayUnit };
  }
  if (spec.at !== undefined) {
    return { ...values, kind: 'at', at: toLocalInputValue(Date.parse(spec.at)) };
  }
  return values;
}
