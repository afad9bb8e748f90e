import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/duration.ts';

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
});
