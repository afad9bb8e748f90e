import { randomFillSync } from 'node:crypto';

/** Random bytes drawn from a pool refilled 4 KB at a time: one getrandom call per 512 runs. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

const TIME_WIDTH = 9; // base36 millis fit in 9 characters until the year 5188

/** The random part of a run id: 10 base-36 characters. */
const RANDOM_SPACE = 36n ** 10n;
let last = { time: -1, random: 0n };

/**
 * Run ids sort by creation time as plain strings: the run index is a sorted set with
 * every score 0, so ZRANGE BYLEX pages through runs newest-first without ties. Ids made in the
 * same millisecond by one process count up from a random start (as monotonic ULIDs do), so runs
 * started one after another list in that order.
 */
export function newRunId(now: number = Date.now()): string {
  const time = now.toString(36).padStart(TIME_WIDTH, '0');
  // The lower half of the space leaves room to count up within the millisecond.
  const random = now === last.time ? last.random + 1n : BigInt(`0x${randomHex(8)}`) % (RANDOM_SPACE / 2n);
  last = { time: now, random };
  return `${time}${random.toString(36).padStart(10, '0')}`;
}

/** The smallest run id created at `time`, for age-based trimming. */
export function runIdFloor(time: number): string {
  return time.toString(36).padStart(TIME_WIDTH, '0');
}

export function newScheduleId(): string {
  return `sch_${BigInt(`0x${randomHex(10)}`).toString(36)}`;
}

export const RUN_ID_PATTERN = /^[0-9a-z]{19}$/;
