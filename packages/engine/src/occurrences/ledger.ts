import type { Occurrence } from '@flowdeck/types';
import { luaScript } from '../lua.ts';
import type { RedisClient } from '../redis.ts';
import type { CreateWith } from '../runs.ts';
import { decodeOccurrence, occurrenceMemberPrefix, plannedTimeOf } from './format.ts';

/**
 * A schedule's fire ledger: one occurrence per planned time, newest kept, oldest trimmed, and the
 * schedule's counters (fires, runs, last run, last planned time) kept with it. A fire that starts
 * a run is recorded by the script that creates the run (lua/create-fire-run.lua), so a marker
 * delivered twice finds its fire recorded and never starts a second run; any other fire is
 * recorded on its own (lua/record-occurrence.lua). Both write through lua/includes/occurrences.lua.
 */

/** One schedule's ledger: its occurrence index and its flow's schedule stats hash. */
export interface LedgerKeys {
  index: string;
  stats: string;
}

/** A fire's occurrence, written by the script that creates its run (see CreateWith). */
export type OccurrenceWrite = CreateWith;

const createFireRunScript = luaScript('create-fire-run');
const recordOccurrenceScript = luaScript('record-occurrence');

/** The 7 ARGV of one fire (see lua/includes/occurrences.lua), without its run id. */
function occurrenceArgs(scheduleId: string, occurrence: Omit<Occurrence, 'runId'>, kept: number): string[] {
  return [
    String(occurrence.scheduledFor),
    occurrenceMemberPrefix(occurrence),
    occurrence.outcome,
    scheduleId,
    String(occurrence.firedAt),
    occurrence.manual ? '0' : '1', // a planned fire counts toward the limit; "run now" does not
    String(kept),
  ];
}

/** The fire's occurrence as a write of the script that creates its run; `kept`: fires kept. */
export function occurrenceWrite(
  ledger: LedgerKeys,
  scheduleId: string,
  occurrence: Omit<Occurrence, 'runId'>,
  kept: number,
): OccurrenceWrite {
  return {
    script: createFireRunScript,
    keys: [ledger.index, ledger.stats],
    args: occurrenceArgs(scheduleId, occurrence, kept),
  };
}

/**
 * Records a fire that started no run here, once. `schedules` is the hash the schedule's record is
 * in: nothing is recorded for a schedule that is gone. False when recorded before or gone.
 */
export async function recordOccurrence(
  redis: RedisClient,
  ledger: LedgerKeys & { schedules: string },
  scheduleId: string,
  occurrence: Occurrence,
  kept: number,
): Promise<boolean> {
  const { runId, ...rest } = occurrence;
  const result = await recordOccurrenceScript(
    redis,
    [ledger.index, ledger.stats, ledger.schedules],
    [...occurrenceArgs(scheduleId, rest, kept), runId ?? ''],
  );
  return result === 1;
}

/** Whether a fire at this planned time has been recorded. */
export async function hasOccurrence(redis: RedisClient, index: string, scheduledFor: number) {
  return (await redis.zcount(index, scheduledFor, scheduledFor)) > 0;
}

/** Occurrences newest first; the cursor is the last planned time returned. */
export async function occurrencePage(
  redis: RedisClient,
  index: string,
  options: { cursor?: string; limit: number },
) {
  const max = options.cursor ? `(${options.cursor}` : '+inf';
  const members = await redis.zrange(index, max, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, options.limit + 1);
  const page = members.slice(0, options.limit);
  const items = page
    .map((member) => decodeOccurrence(member))
    .filter((occurrence) => occurrence !== undefined);
  const last = page.at(-1);
  return { items, nextCursor: members.length > options.limit && last ? String(plannedTimeOf(last)) : null };
}
