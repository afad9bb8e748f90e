import type { CreateScheduleRequest, ScheduleSpec } from '@flowdeck/types';
import { describeCron, describeInterval, describeOnce } from '@flowdeck/types/schedule-text';
import { type CronExpression, CronExpressionParser } from 'cron-parser';
import { InvalidRequestError } from '../errors.ts';

/**
 * When a schedule fires, computed the way BullMQ will fire it: cron patterns with
 * cron-parser (the version BullMQ pins) in the schedule's zone; intervals from an anchor
 * (the first fire is one interval after creation, or at `startDate`); one-time at a time.
 */

export type Timing =
  | { kind: 'cron'; cron: string; tz: string }
  | { kind: 'every'; every: number }
  | { kind: 'once'; at: number };

export interface Window {
  startDate: number | null;
  endDate: number | null;
}

const MAX_ITERATIONS = 10_000;

function invalid(field: string, message: string): never {
  throw new InvalidRequestError(`${field}: ${message}`, [{ path: `body.${field}`, message }]);
}

export function parseCron(pattern: string, tz: string, currentDate: number) {
  try {
    return CronExpressionParser.parse(pattern, { currentDate: new Date(currentDate), tz });
  } catch (error) {
    return invalid('cron', (error as Error).message);
  }
}

/** Parsed patterns by zone and text: parsing costs 50–120 µs, moving a parsed one to a new date ~7 µs. */
const parsed = new Map<string, CronExpression>();
const PARSED_KEPT = 1000;

/**
 * A parsed cron pattern positioned at `currentDate`, reused from earlier calls. Callers use it
 * at once and synchronously (next/prev move it), so sharing it is safe.
 */
function cronAt(pattern: string, tz: string, currentDate: number): CronExpression {
  const key = `${tz} ${pattern}`;
  const known = parsed.get(key);
  if (known) {
    known.reset(new Date(currentDate));
    return known;
  }
  const expression = parseCron(pattern, tz, currentDate);
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, expression);
  return expression;
}

const SCAN_MS = 2 * 86_400_000;
const isLoopLimit = (error: unknown) => error instanceof Error && /loop limit exceeded/.test(error.message);

/**
 * The next fire of a cron pattern strictly after `after`, or null when there is none.
 * cron-parser 5.10 (the version BullMQ pins) gives up with "loop limit exceeded" when its search
 * crosses a 30-minute daylight-saving change (Australia/Lord_Howe in April), which would fail
 * the preview and stop a BullMQ job scheduler for good. Then the next two days are checked
 * minute by minute (at the pattern's seconds), and past them cron-parser is asked again.
 */
export function nextCronFire(cron: string, tz: string, after: number): number | null {
  const key = `${tz} ${cron}`;
  const known = lastNext.get(key);
  // No fire lies between the last question and its answer, so any time in that span has the same answer.
  if (known && after >= known.after && after < known.next) return known.next;
  const next = searchNextCronFire(cron, tz, after);
  if (next !== null) remember(lastNext, key, { after, next });
  return next;
}

/**
 * The latest answer of nextCronFire and of the first step back in plannedBetween, per pattern:
 * every schedule of a pattern asks about the same instants (thousands of `* * * * *` schedules
 * fire together), and a cron search in a zone costs 20–60 µs.
 */
const lastNext = new Map<string, { after: number; next: number }>();
const lastPrevious = new Map<string, { before: number; previous: number }>();

function remember<V>(memo: Map<string, V>, key: string, value: V) {
  if (!memo.has(key) && memo.size >= PARSED_KEPT) memo.delete(memo.keys().next().value!);
  memo.set(key, value);
}

function searchNextCronFire(cron: string, tz: string, after: number): number | null {
  try {
    return cronAt(cron, tz, after).next().getTime();
  } catch (error) {
    if (!isLoopLimit(error)) return null;
  }
  const expression = parseCron(cron, tz, after);
  const seconds = expression.fields.second.values as number[];
  for (let minute = Math.floor(after / 60_000) * 60_000; minute <= after + SCAN_MS; minute += 60_000) {
    for (const second of seconds) {
      const t = minute + second * 1000;
      if (t > after && expression.includesDate(new Date(t))) return t;
    }
  }
  try {
    return parseCron(cron, tz, after + SCAN_MS)
      .next()
      .getTime();
  } catch {
    return null;
  }
}

/**
 * BullMQ's `repeatStrategy` for cron job schedulers: the same next fire as Flowdeck's preview
 * (nextCronFire), from the later of the last fire and the start date (a fire at the start
 * date itself counts, as in the preview).
 */
export function cronRepeatStrategy(
  millis: number,
  opts: { pattern?: string; tz?: string; startDate?: Date | string | number },
) {
  if (!opts.pattern) return undefined;
  const start =
    opts.startDate === undefined ? Number.NEGATIVE_INFINITY : new Date(opts.startDate).getTime() - 1;
  return nextCronFire(opts.pattern, opts.tz ?? 'UTC', Math.max(millis, start)) ?? undefined;
}

export function parseDate(field: string, value: string | undefined | null): number | null {
  if (value === undefined || value === null) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) invalid(field, `'${value}' is not a date-time`);
  return time;
}

/** The start and end dates of a schedule or a request, as times. */
export const windowOf = (r: { startDate?: string | null; endDate?: string | null }): Window => ({
  startDate: parseDate('startDate', r.startDate),
  endDate: parseDate('endDate', r.endDate),
});

/** The timing a request describes; `createdAt` anchors intervals and delays. */
export function timingOf(spec: ScheduleSpec, createdAt: number): Timing {
  if (spec.cron !== undefined) return { kind: 'cron', cron: spec.cron.trim(), tz: spec.tz ?? 'UTC' };
  if (spec.every !== undefined) return { kind: 'every', every: spec.every };
  if (spec.delay !== undefined) return { kind: 'once', at: createdAt + spec.delay };
  if (spec.at !== undefined) return { kind: 'once', at: parseDate('at', spec.at)! };
  throw new InvalidRequestError('give exactly one of cron, every, delay, at');
}

export function specOf(
  request: Pick<CreateScheduleRequest, 'cron' | 'tz' | 'every' | 'delay' | 'at'>,
): ScheduleSpec {
  if (request.cron !== undefined) return { cron: request.cron.trim(), tz: request.tz ?? 'UTC' };
  if (request.every !== undefined) return { every: request.every };
  if (request.delay !== undefined) return { delay: request.delay };
  return { at: request.at };
}

/** Checks what zod cannot: a cron pattern cron-parser accepts, a future `at`, dates in order. */
export function validateTiming(timing: Timing, window: Window, now: number, { isNew }: { isNew: boolean }) {
  if (timing.kind === 'cron') parseCron(timing.cron, timing.tz, now);
  if (timing.kind === 'once' && isNew && timing.at < now - 1000) {
    invalid('at', `${new Date(timing.at).toISOString()} is in the past`);
  }
  if (window.startDate !== null && window.endDate !== null && window.endDate <= window.startDate) {
    invalid('endDate', 'must be after startDate');
  }
  if (window.endDate !== null && isNew && window.endDate <= now) invalid('endDate', 'is in the past');
}

/** The first interval fire: at startDate, else one interval after the anchor. */
function firstEveryFire(every: number, anchor: number, window: Window) {
  return window.startDate ?? anchor + every;
}

/** The next interval fire strictly after `after`. */
export function nextEveryFire(every: number, anchor: number, window: Window, after: number): number {
  const first = firstEveryFire(every, anchor, window);
  if (first > after) return first;
  return first + (Math.floor((after - first) / every) + 1) * every;
}

/** The next `count` fire times after `after`, within the schedule's window and run limit. */
export function nextFires(
  timing: Timing,
  window: Window,
  anchor: number,
  after: number,
  count: number,
  remaining: number | null,
): number[] {
  const limit = Math.min(count, remaining ?? count);
  const fires: number[] = [];
  const end = window.endDate ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return fires;
  if (timing.kind === 'once') return timing.at > after - 1000 ? [timing.at] : [];
  if (timing.kind === 'every') {
    let next = nextEveryFire(timing.every, anchor, window, after);
    while (fires.length < limit && next <= end) {
      fires.push(next);
      next += timing.every;
    }
    return fires;
  }
  let from = Math.max(after, (window.startDate ?? 0) - 1);
  for (let i = 0; i < MAX_ITERATIONS && fires.length < limit; i++) {
    const next = nextCronFire(timing.cron, timing.tz, from);
    if (next === null || next > end) break;
    fires.push(next);
    from = next;
  }
  return fires;
}

/**
 * The planned fire times strictly between `after` and `before`, oldest first, within the
 * schedule's window: at most the latest `max` of them. Cron times are found walking back
 * from `before`, so a long gap costs no more than `max` steps.
 */
export function plannedBetween(
  timing: Timing,
  window: Window,
  anchor: number,
  after: number,
  before: number,
  max: number,
): number[] {
  const lower = Math.max(after, (window.startDate ?? Number.NEGATIVE_INFINITY) - 1);
  const upper = Math.min(before, (window.endDate ?? Number.POSITIVE_INFINITY) + 1);
  if (timing.kind === 'once' || upper - lower <= 1 || max <= 0) return [];
  if (timing.kind === 'every') {
    const first = nextEveryFire(timing.every, anchor, window, lower);
    if (first >= upper) return [];
    const count = Math.ceil((upper - first) / timing.every);
    const skip = Math.max(0, count - max);
    return Array.from({ length: count - skip }, (_, i) => first + (skip + i) * timing.every);
  }
  const key = `${timing.tz} ${timing.cron}`;
  const known = lastPrevious.get(key);
  // The usual question of a fire: was anything planned since the last recorded one? No.
  if (known && upper > known.previous && upper <= known.before && known.previous <= lower) return [];
  const iterator = cronAt(timing.cron, timing.tz, upper);
  const fires: number[] = [];
  while (fires.length < max) {
    let previous: number;
    try {
      previous = iterator.prev().getTime();
    } catch {
      break; // no earlier match
    }
    if (fires.length === 0) remember(lastPrevious, key, { before: upper, previous });
    if (previous <= lower) break;
    fires.push(previous);
  }
  return fires.reverse();
}

/**
 * The latest planned fire time strictly before `before`, or null when nothing was planned before
 * it. The end date is not applied: a later time than the true one only makes a caller check more.
 */
export function plannedBefore(timing: Timing, window: Window, anchor: number, before: number): number | null {
  if (timing.kind === 'once') return null;
  if (timing.kind === 'every') {
    const first = firstEveryFire(timing.every, anchor, window);
    if (first >= before) return null;
    return first + Math.floor((before - 1 - first) / timing.every) * timing.every;
  }
  const key = `${timing.tz} ${timing.cron}`;
  let known = lastPrevious.get(key);
  if (!known || before <= known.previous || before > known.before) {
    try {
      known = { before, previous: cronAt(timing.cron, timing.tz, before).prev().getTime() };
    } catch {
      return null; // no earlier match
    }
    remember(lastPrevious, key, known);
  }
  return window.startDate !== null && known.previous < window.startDate ? null : known.previous;
}

/** The preview's plain-English text: "Every 5 minutes (UTC)", "Every 90 seconds", "Once at …". */
export function describeTiming(timing: Timing): string {
  if (timing.kind === 'cron') return describeCron(timing.cron, timing.tz);
  if (timing.kind === 'every') return describeInterval(timing.every);
  return describeOnce(timing.at);
}
