import {
  CreateScheduleRequest,
  describeIssue,
  type PreviewScheduleRequest,
  type Schedule,
} from '@flowdeck/types';
import { formatInterval } from '@flowdeck/types/schedule-text';
import { type OptionSpec, UsageError } from '../command.ts';
import { durationOption, integerOption, readInput } from '../input.ts';
import { localTimeZone } from '../time.ts';

/** The options that say when a schedule fires, shared by `schedules create` and `preview`. */
export const SPEC_OPTIONS: Record<string, OptionSpec & { help: string }> = {
  cron: { type: 'string', help: "a cron pattern, 5 fields or 6 with seconds first: '0 2 * * *'" },
  tz: { type: 'string', help: 'the IANA time zone of --cron, e.g. Europe/Berlin' },
  every: { type: 'string', help: 'an interval: 90s, 5m, 1h' },
  delay: { type: 'string', help: 'once, after this long: 30s, 2h' },
  at: { type: 'string', help: 'once, at an ISO 8601 time: 2030-01-01T09:00:00Z' },
};

/**
 * The request body from the spec options, the input and the rest, checked with the API's own
 * schema (`CreateScheduleRequest`, or `PreviewScheduleRequest` for a preview) before it is sent:
 * a mistake is a usage error, worded as the server words it but naming the option.
 */
export async function scheduleBody(
  options: Record<string, unknown>,
  schema: typeof PreviewScheduleRequest = CreateScheduleRequest,
): Promise<CreateScheduleRequest> {
  const input = await readInput(options);
  const description = options.description as string | undefined;
  const tags = options.tag as string[] | undefined;
  const body: CreateScheduleRequest = {
    ...(options.cron !== undefined ? { cron: options.cron as string } : {}),
    ...(options.tz !== undefined ? { tz: options.tz as string } : {}),
    ...(options.every !== undefined ? { every: durationOption(options.every as string, '--every') } : {}),
    ...(options.delay !== undefined ? { delay: durationOption(options.delay as string, '--delay') } : {}),
    ...(options.at !== undefined ? { at: options.at as string } : {}),
    ...(input !== undefined ? { input } : {}),
    ...(description !== undefined || tags !== undefined
      ? { metadata: { ...(description !== undefined ? { description } : {}), ...(tags ? { tags } : {}) } }
      : {}),
    ...(options.limit !== undefined ? { limit: integerOption(options.limit as string, '--limit') } : {}),
  };
  const checked = schema.safeParse(body, { error: describeIssue });
  if (!checked.success) throw new UsageError(checked.error.issues.map(sentence).join('; '));
  return body;
}

/** "--every: must be at least 1000 ms"; a rule of the whole request ("give exactly one of ...") stands alone. */
function sentence(issue: { path: readonly PropertyKey[]; message: string }): string {
  if (issue.path.length === 0) return issue.message;
  return `${optionOf(issue.path)}: ${issue.message}`;
}

/** The option a field of the body comes from: `every` from --every, `metadata.tags.0` from --tag. */
function optionOf(path: readonly PropertyKey[]): string {
  const field = String(path[0] === 'metadata' ? path[1] : path[0]);
  return field === 'tags' ? '--tag' : `--${field}`;
}

/** `cron 0 2 * * * (Europe/Berlin)`, `every 5m`, `once at …`. */
export function describeSpec(schedule: Schedule): string {
  const { cron, tz, every, delay, at } = schedule.schedule;
  if (cron !== undefined) return `cron ${cron}${tz ? ` (${tz})` : ''}`;
  if (every !== undefined) return `every ${formatInterval(every)}`;
  if (at !== undefined) return `once at ${at}`;
  if (delay !== undefined) return `once after ${formatInterval(delay)}`;
  return '-';
}

/**
 * The zone a schedule's fire times are shown in, and whose it is: a cron schedule's own zone
 * (UTC unless `--tz` says otherwise), else this computer's, since an interval has none.
 */
export function displayZone(spec: { cron?: string; tz?: string }): { zone: string; whose: string } {
  if (spec.cron !== undefined) return { zone: spec.tz ?? 'UTC', whose: "the schedule's time zone" };
  return { zone: localTimeZone(), whose: "this computer's time zone" };
}
