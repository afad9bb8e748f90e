import { describe, expect, it } from 'vitest';
import {
  describeCron,
  describeInterval,
  describeOnce,
  formatDuration,
  formatInterval,
  parseDuration,
} from '../src/schedule-text.ts';

describe('durations', () => {
  it('reads seconds, minutes, hours, days, milliseconds and combinations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5h')).toBe(5_400_000);
  });

  it('refuses bare numbers and unknown units', () => {
    for (const text of ['60', '5 minutes', '5w', '', 'm5', '-5m']) expect(parseDuration(text)).toBeNull();
  });

  it('writes durations the short way people read them', () => {
    expect(formatDuration(450)).toBe('450ms');
    expect(formatDuration(2_500)).toBe('2.5s');
    expect(formatDuration(5_400_000)).toBe('1h 30m');
    expect(formatDuration(90_061_000)).toBe('1d 1h');
  });

  it('writes an interval exactly, in a form parseDuration reads back without the spaces', () => {
    expect(formatInterval(5_400_000)).toBe('1h 30m');
    expect(formatInterval(90_061_000)).toBe('1d 1h 1m 1s');
    expect(formatInterval(1_500)).toBe('1s 500ms');
    expect(parseDuration(formatInterval(90_061_500).replaceAll(' ', ''))).toBe(90_061_500);
  });
});

describe('the plain-English text of a schedule', () => {
  it('reads a cron pattern with its zone, or without one where the zone is shown beside it', () => {
    expect(describeCron('*/5 * * * *', 'UTC')).toBe('Every 5 minutes (UTC)');
    expect(describeCron('0 2 * * *', 'Europe/Berlin')).toBe('At 02:00 AM (Europe/Berlin)');
    expect(describeCron('*/5 * * * *')).toBe('Every 5 minutes');
  });

  it('falls back to the pattern itself when cronstrue cannot read it', () => {
    expect(describeCron('61 * * * *', 'UTC')).toBe('61 * * * *');
  });

  it('says an interval in the largest unit that divides it', () => {
    expect(describeInterval(300_000)).toBe('Every 5 minutes');
    expect(describeInterval(90_000)).toBe('Every 90 seconds');
    expect(describeInterval(3_600_000)).toBe('Every hour');
    expect(describeInterval(5_400_000)).toBe('Every 90 minutes');
    expect(describeInterval(1_500)).toBe('Every 1500 ms');
  });

  it('gives a one-time schedule its time, in UTC or as the caller writes times', () => {
    const at = Date.UTC(2030, 0, 1, 9);
    expect(describeOnce(at)).toBe('Once at 2030-01-01T09:00:00.000Z');
    expect(describeOnce(at, (ms) => new Date(ms).toUTCString())).toBe(
      'Once at Tue, 01 Jan 2030 09:00:00 GMT',
    );
  });
});
