import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import {
  cronRepeatStrategy,
  describeTiming,
  nextCronFire,
  nextEveryFire,
  nextFires,
  plannedBefore,
  plannedBetween,
} from '../src/schedules/spec.ts';
import { scheduleWarnings } from '../src/schedules/warnings.ts';

const noWindow = { startDate: null, endDate: null };
const jan1 = Date.parse('2027-01-01T00:00:00Z');

describe('schedule timing', () => {
  it('cron fire times follow the schedule zone, including across a spring-forward', () => {
    const fires = nextFires(
      { kind: 'cron', cron: '30 2 * * *', tz: 'America/New_York' },
      noWindow,
      jan1,
      Date.parse('2027-03-13T12:00:00Z'),
      3,
      null,
    );
    expect(fires.map((t) => new Date(t).toISOString())).toEqual([
      '2027-03-14T07:30:00.000Z', // 02:30 does not exist that day: it runs at 03:30 EDT
      '2027-03-15T06:30:00.000Z',
      '2027-03-16T06:30:00.000Z',
    ]);
  });

  it('a 6-field pattern fires on seconds', () => {
    const fires = nextFires(
      { kind: 'cron', cron: '*/15 * * * * *', tz: 'UTC' },
      noWindow,
      jan1,
      jan1,
      3,
      null,
    );
    expect(fires).toEqual([jan1 + 15_000, jan1 + 30_000, jan1 + 45_000]);
  });

  it('interval fires count from the anchor, skip what is past, and stop at the end date and run limit', () => {
    const timing = { kind: 'every' as const, every: 60_000 };
    expect(nextFires(timing, noWindow, jan1, jan1 + 150_000, 3, null)).toEqual([
      jan1 + 180_000,
      jan1 + 240_000,
      jan1 + 300_000,
    ]);
    expect(nextFires(timing, { startDate: null, endDate: jan1 + 200_000 }, jan1, jan1, 5, null)).toEqual([
      jan1 + 60_000,
      jan1 + 120_000,
      jan1 + 180_000,
    ]);
    expect(nextFires(timing, noWindow, jan1, jan1, 5, 2)).toEqual([jan1 + 60_000, jan1 + 120_000]);
  });

  it('a leap-day pattern fires only on 29 February', () => {
    const fires = nextFires({ kind: 'cron', cron: '0 12 29 2 *', tz: 'UTC' }, noWindow, jan1, jan1, 2, null);
    expect(fires.map((t) => new Date(t).toISOString())).toEqual([
      '2028-02-29T12:00:00.000Z',
      '2032-02-29T12:00:00.000Z',
    ]);
  });

  it('says a fire the spring-forward gap skips runs an hour later, asked at any millisecond', () => {
    // An instant off the minute, as Date.now() is: the search for the change once landed inside
    // the new hour, and the warning then said the day had no fire.
    const now = jan1 + 37_123;
    for (const [tz, day] of [
      ['Europe/Berlin', '2027-03-28'],
      ['America/New_York', '2027-03-14'],
    ] as const) {
      expect(scheduleWarnings({ kind: 'cron', cron: '30 2 * * *', tz }, now)[0]).toBe(
        `on ${day}, 02:30 does not exist in ${tz} (clocks go forward): that fire runs at 03:30 instead`,
      );
    }
  });

  it('warns about fire times a DST change skips or repeats, and about sub-minute patterns', () => {
    expect(scheduleWarnings({ kind: 'cron', cron: '30 2 * * *', tz: 'Europe/Berlin' }, jan1)).toEqual([
      'on 2027-03-28, 02:30 does not exist in Europe/Berlin (clocks go forward): that fire runs at 03:30 instead',
      'on 2027-10-31, 02:30 happens twice in Europe/Berlin (clocks go back): it fires once, at the first 02:30',
    ]);
    expect(scheduleWarnings({ kind: 'cron', cron: '0 12 * * *', tz: 'Europe/Berlin' }, jan1)).toEqual([]);
    expect(scheduleWarnings({ kind: 'cron', cron: '30 2 * * *', tz: 'UTC' }, jan1)).toEqual([]);
    expect(scheduleWarnings({ kind: 'cron', cron: '*/10 * * * * *', tz: 'UTC' }, jan1)).toEqual([
      'fires more than once a minute (every 10 s); is that intended?',
    ]);
  });

  it('describes schedules in plain English', () => {
    expect(describeTiming({ kind: 'cron', cron: '*/5 * * * *', tz: 'UTC' })).toBe('Every 5 minutes (UTC)');
    expect(describeTiming({ kind: 'every', every: 90_000 })).toBe('Every 90 seconds');
    expect(describeTiming({ kind: 'every', every: 3_600_000 })).toBe('Every hour');
    expect(describeTiming({ kind: 'once', at: jan1 })).toBe('Once at 2027-01-01T00:00:00.000Z');
  });
});

/** Fire times as ISO strings, for tables that read like a calendar. */
const iso = (times: number[]) => times.map((t) => new Date(t).toISOString().replace(':00.000Z', 'Z'));
const cronFires = (cron: string, tz: string, after: string, count: number) =>
  iso(nextFires({ kind: 'cron', cron, tz }, noWindow, 0, Date.parse(after), count, null));

describe('cron schedules across daylight-saving changes', () => {
  // [zone, change, pattern, search from (UTC), fire times (UTC)]. Documented behaviour: a
  // wall-clock time the change skips runs an hour later; a time that happens twice fires once,
  // the first time; times outside the changed hour keep their wall-clock time.
  const matrix: [string, string, string, string, string[]][] = [
    [
      'America/New_York',
      'spring forward',
      '30 2 * * *',
      '2027-03-13T12:00Z',
      ['2027-03-14T07:30Z', '2027-03-15T06:30Z'],
    ],
    [
      'America/New_York',
      'spring forward',
      '*/30 1-3 * * *',
      '2027-03-14T05:00Z',
      ['2027-03-14T06:00Z', '2027-03-14T06:30Z', '2027-03-14T07:00Z', '2027-03-14T07:30Z'],
    ],
    [
      'America/New_York',
      'spring forward',
      '0 12 * * *',
      '2027-03-13T12:00Z',
      ['2027-03-13T17:00Z', '2027-03-14T16:00Z'],
    ],
    [
      'America/New_York',
      'fall back',
      '30 1 * * *',
      '2027-11-06T12:00Z',
      ['2027-11-07T05:30Z', '2027-11-08T06:30Z'],
    ],
    [
      'America/New_York',
      'fall back',
      '*/30 1-3 * * *',
      '2027-11-07T04:00Z',
      ['2027-11-07T05:00Z', '2027-11-07T05:30Z', '2027-11-07T07:00Z', '2027-11-07T07:30Z'],
    ],
    [
      'America/New_York',
      'fall back',
      '0 12 * * *',
      '2027-11-06T12:00Z',
      ['2027-11-06T16:00Z', '2027-11-07T17:00Z'],
    ],
    [
      'Europe/Berlin',
      'spring forward',
      '30 2 * * *',
      '2027-03-27T12:00Z',
      ['2027-03-28T01:30Z', '2027-03-29T00:30Z'],
    ],
    [
      'Europe/Berlin',
      'fall back',
      '30 2 * * *',
      '2027-10-30T12:00Z',
      ['2027-10-31T00:30Z', '2027-11-01T01:30Z'],
    ],
    [
      'Europe/Berlin',
      'fall back',
      '0 * * * *',
      '2027-10-30T23:30Z',
      ['2027-10-31T00:00Z', '2027-10-31T01:00Z', '2027-10-31T02:00Z', '2027-10-31T03:00Z'],
    ],
    [
      'Australia/Sydney',
      'spring forward',
      '30 2 * * *',
      '2027-10-02T06:00Z',
      ['2027-10-02T16:30Z', '2027-10-03T15:30Z'],
    ],
    [
      'Australia/Sydney',
      'fall back',
      '30 2 * * *',
      '2027-04-03T06:00Z',
      ['2027-04-03T15:30Z', '2027-04-04T16:30Z'],
    ],
    // Lord Howe moves its clocks by 30 minutes.
    [
      'Australia/Lord_Howe',
      'fall back',
      '45 1 * * *',
      '2027-04-03T06:00Z',
      ['2027-04-03T14:45Z', '2027-04-04T15:15Z'],
    ],
    [
      'Australia/Lord_Howe',
      'fall back',
      '0 12 * * *',
      '2027-04-03T06:00Z',
      ['2027-04-04T01:30Z', '2027-04-05T01:30Z'],
    ],
    [
      'Australia/Lord_Howe',
      'spring forward',
      '0 12 * * *',
      '2027-10-02T06:00Z',
      ['2027-10-03T01:00Z', '2027-10-04T01:00Z'],
    ],
  ];
  it.each(matrix)('%s, %s: %s fires at the documented times', (tz, _change, cron, after, expected) => {
    expect(cronFires(cron, tz, after, expected.length)).toEqual(expected);
  });

  it('BullMQ is given the same next fire as the preview, also where cron-parser alone gives up (Lord Howe)', () => {
    for (const [tz, , cron, after, expected] of matrix) {
      const next = cronRepeatStrategy(Date.parse(after), { pattern: cron, tz });
      expect(iso([next!])).toEqual(expected.slice(0, 1));
    }
  });

  it('a 30-minute spring-forward that swallows the fire time skips that day, and the preview says so', () => {
    expect(cronFires('15 2 * * *', 'Australia/Lord_Howe', '2027-10-02T06:00Z', 2)).toEqual([
      '2027-10-03T15:15Z',
      '2027-10-04T15:15Z',
    ]);
    expect(scheduleWarnings({ kind: 'cron', cron: '15 2 * * *', tz: 'Australia/Lord_Howe' }, jan1)).toEqual([
      'on 2027-10-03, 02:15 does not exist in Australia/Lord_Howe (clocks go forward): that day has no fire at 02:15',
    ]);
  });

  it('warns about both changes of a southern-hemisphere zone and about the repeated hour of a northern one', () => {
    expect(scheduleWarnings({ kind: 'cron', cron: '30 2 * * *', tz: 'Australia/Sydney' }, jan1)).toEqual([
      'on 2027-04-04, 02:30 happens twice in Australia/Sydney (clocks go back): it fires once, at the first 02:30',
      'on 2027-10-03, 02:30 does not exist in Australia/Sydney (clocks go forward): that fire runs at 03:30 instead',
    ]);
    expect(scheduleWarnings({ kind: 'cron', cron: '30 1 * * *', tz: 'America/New_York' }, jan1)).toEqual([
      'on 2027-11-07, 01:30 happens twice in America/New_York (clocks go back): it fires once, at the first 01:30',
    ]);
    // Hourly patterns keep firing every real hour through a change: nothing to warn about.
    expect(scheduleWarnings({ kind: 'cron', cron: '0 * * * *', tz: 'Europe/Berlin' }, jan1)).toEqual([]);
  });

  it('an interval ignores daylight saving: 24 h apart in real time, so the wall-clock time moves', () => {
    const anchor = Date.parse('2027-03-27T11:00:00Z'); // noon in Berlin, the day before spring forward
    const fires = nextFires({ kind: 'every', every: 86_400_000 }, noWindow, anchor, anchor, 2, null);
    expect(iso(fires)).toEqual(['2027-03-28T11:00Z', '2027-03-29T11:00Z']); // 13:00 in Berlin from then on
  });
});

describe('leap days', () => {
  it('the last day of February is the 29th in a leap year', () => {
    expect(cronFires('0 9 L 2 *', 'UTC', '2027-01-01T00:00Z', 3)).toEqual([
      '2027-02-28T09:00Z',
      '2028-02-29T09:00Z',
      '2029-02-28T09:00Z',
    ]);
  });

  it('29 February in a zone far from UTC fires at local midnight, the day before in UTC', () => {
    expect(cronFires('0 0 29 2 *', 'Pacific/Kiritimati', '2027-01-01T00:00Z', 1)).toEqual([
      '2028-02-28T10:00Z',
    ]);
  });

  it('a daily pattern runs on 29 February like any other day, and an interval does not skip it', () => {
    expect(cronFires('0 6 * * *', 'UTC', '2028-02-28T07:00Z', 2)).toEqual([
      '2028-02-29T06:00Z',
      '2028-03-01T06:00Z',
    ]);
    const anchor = Date.parse('2028-02-27T06:00:00Z');
    expect(iso(nextFires({ kind: 'every', every: 86_400_000 }, noWindow, anchor, anchor, 3, null))).toEqual([
      '2028-02-28T06:00Z',
      '2028-02-29T06:00Z',
      '2028-03-01T06:00Z',
    ]);
  });

  it('a pattern for 29 February finds no planned fire in a gap between two non-leap years', () => {
    const timing = { kind: 'cron' as const, cron: '0 12 29 2 *', tz: 'UTC' };
    expect(
      plannedBetween(
        timing,
        noWindow,
        0,
        Date.parse('2029-01-01T00:00:00Z'),
        Date.parse('2031-12-31T00:00:00Z'),
        10,
      ),
    ).toEqual([]);
    expect(iso(plannedBetween(timing, noWindow, 0, jan1, Date.parse('2033-01-01T00:00:00Z'), 10))).toEqual([
      '2028-02-29T12:00Z',
      '2032-02-29T12:00Z',
    ]);
  });
});

describe('an interval across a long pause', () => {
  const every = 10 * 60_000;
  const anchor = Date.parse('2027-01-01T00:03:00Z');
  const timing = { kind: 'every' as const, every };

  it('resumes on its own grid at the first slot after the resume, with no burst of the fires it slept through', () => {
    const resumedAt = anchor + 400 * 86_400_000 + 7 * 60_000; // paused for more than a year
    const next = nextFires(timing, noWindow, anchor, resumedAt, 3, null);
    expect(next[0]! - resumedAt).toBeGreaterThan(0);
    expect(next[0]! - resumedAt).toBeLessThanOrEqual(every);
    expect(next.map((t) => (t - anchor) % every)).toEqual([0, 0, 0]);
    expect(next[1]! - next[0]!).toBe(every);
    // The trigger BullMQ gets on resume starts at that slot too.
    expect(nextEveryFire(every, anchor, noWindow, resumedAt)).toBe(next[0]);
    // Catching up looks back no further than the resume: the paused stretch is not missed.
    expect(plannedBetween(timing, noWindow, anchor, resumedAt, next[0]!, 1000)).toEqual([]);
  });

  it('counts the fires a stopped worker did not deliver while the schedule was active, up to the newest 1,000', () => {
    const lastFire = anchor + 6 * every;
    const gap = plannedBetween(timing, noWindow, anchor, lastFire, lastFire + 4 * every, 1000);
    expect(gap.map((t) => (t - lastFire) / every)).toEqual([1, 2, 3]);
    const long = plannedBetween(timing, noWindow, anchor, lastFire, lastFire + 5000 * every, 1000);
    expect(long).toHaveLength(1000);
    expect(long.at(-1)).toBe(lastFire + 4999 * every);
  });

  it('next and previous fires are the same whatever was asked before about the same pattern', () => {
    // The answers are remembered per pattern; questions in any order must still get exact answers.
    const cron = '*/7 * * * * *';
    const tz = 'Europe/Berlin';
    const fresh = (after: number) =>
      CronExpressionParser.parse(cron, { currentDate: new Date(after), tz })
        .next()
        .getTime();
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 500; i++) {
      const after = jan1 + Math.floor(random() * 120_000);
      expect(nextCronFire(cron, tz, after)).toBe(fresh(after));
      const before = jan1 + Math.floor(random() * 120_000);
      const since = before - Math.floor(random() * 30_000);
      const expected: number[] = [];
      for (let t = fresh(since); t < before; t = fresh(t)) expected.push(t);
      const timing = { kind: 'cron' as const, cron, tz };
      expect(plannedBetween(timing, noWindow, 0, since, before, 100)).toEqual(expected);
      let previous = fresh(before - 60_000);
      while (fresh(previous) < before) previous = fresh(previous);
      expect(plannedBefore(timing, noWindow, 0, before)).toBe(previous);
    }
  });

  it('the planned time before a fire is on the schedule grid, and there is none before its first fire', () => {
    const every = { kind: 'every' as const, every: 60_000 };
    const anchor = jan1 + 123;
    expect(plannedBefore(every, noWindow, anchor, anchor + 60_000)).toBeNull();
    expect(plannedBefore(every, noWindow, anchor, anchor + 60_001)).toBe(anchor + 60_000);
    expect(plannedBefore(every, noWindow, anchor, anchor + 180_000)).toBe(anchor + 120_000);
    const window = { startDate: jan1 + 3_600_000, endDate: null };
    expect(plannedBefore(every, window, anchor, jan1 + 3_600_000)).toBeNull();
    expect(plannedBefore(every, window, anchor, jan1 + 3_660_000)).toBe(jan1 + 3_600_000);
    const cron = { kind: 'cron' as const, cron: '0 * * * *', tz: 'UTC' };
    expect(plannedBefore(cron, noWindow, 0, jan1 + 3_600_000)).toBe(jan1);
    expect(plannedBefore(cron, window, 0, jan1 + 3_600_000)).toBeNull();
    expect(plannedBefore({ kind: 'once', at: jan1 }, noWindow, 0, jan1 + 1)).toBeNull();
  });
});
