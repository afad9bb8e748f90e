import { describe, expect, it } from 'vitest';
import { describeTiming, nextFires } from '../src/schedules/spec.ts';
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
