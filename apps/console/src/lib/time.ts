/**
 * Time formatting for operators: their own (the browser's) zone on screen, always named, with a
 * schedule's zone beside it where its clock differs; UTC on hover.
 */

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
  ['second', 1000],
];

export function formatRelative(at: number, now: number): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 1000) return 'now';
  for (const [unit, size] of UNITS) {
    if (abs >= size || unit === 'second') {
      return RELATIVE.format(Math.round(diff / size), unit);
    }
  }
  return RELATIVE.format(Math.round(diff / 1000), 'second');
}

/** "2025-11-26 23:40:05 UTC". */
export function formatUtc(at: number): string {
  return `${new Date(at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Intl formatters are slow to build and lists format every second: one per locale, zone and style. */
function formatter(
  locale: string,
  timeZone: string | undefined,
  style: 'wall' | 'zone',
): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone ?? ''}|${style}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat(
      locale,
      style === 'wall'
        ? { dateStyle: 'medium', timeStyle: 'medium', timeZone }
        : { timeZoneName: 'short', timeZone },
    );
    formatters.set(key, cached);
  }
  return cached;
}

/** "6 Dec 2026, 02:00:00": the date and time on a wall clock in `timeZone` (the browser's by default). */
export function formatWallClock(at: number, timeZone?: string): string {
  return formatter('en-GB', timeZone, 'wall').format(at);
}

/**
 * "CET", "PST", "UTC", or "GMT+9" where no abbreviation is in use: the zone's short name at
 * that moment. British English names Europe's zones, American English America's.
 */
export function zoneAbbreviation(at: number, timeZone?: string): string {
  const names = ['en-GB', 'en-US'].map(
    (locale) =>
      formatter(locale, timeZone, 'zone')
        .formatToParts(at)
        .find((part) => part.type === 'timeZoneName')?.value ?? '',
  );
  return names.find((name) => /^[A-Z]{2,5}$/.test(name)) ?? names[0] ?? '';
}

/** "6 Dec 2026, 02:00:00 CET": the date, time and zone, in the browser's zone or `timeZone`. */
export function formatDateTime(at: number, timeZone?: string): string {
  return `${formatWallClock(at, timeZone)} ${zoneAbbreviation(at, timeZone)}`;
}

/**
 * The same moment in a schedule's zone, "6 Dec 2026, 02:00:00 CET in Europe/Berlin", or null
 * when that zone's clock reads the same as the browser's (or the zone is unknown).
 */
export function formatInOtherZone(at: number, timeZone: string | undefined): string | null {
  if (!timeZone || !isTimeZone(timeZone)) return null;
  if (formatWallClock(at, timeZone) === formatWallClock(at)) return null;
  return `${formatDateTime(at, timeZone)} in ${timeZone}`;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatter('en-GB', timeZone, 'wall');
    return true;
  } catch {
    return false;
  }
}

export function formatTime(at: number): string {
  const date = new Date(at);
  const time = date.toLocaleTimeString('en-GB', { hour12: false });
  return `${time}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** "850 ms", "12.4 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) {
    const seconds = ms / 1000;
    return `${Number.isInteger(seconds) || seconds >= 10 ? Math.round(seconds) : seconds.toFixed(1)} s`;
  }
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

export const BROWSER_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Every IANA zone the browser knows, for the timezone picker. */
export function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

/** A `datetime-local` input value ("2030-01-01T09:00") for a moment, in the browser's zone. */
export function toLocalInputValue(at: number): string {
  const date = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Reads a `datetime-local` value in the browser's zone; null when empty or not a date. */
export function fromLocalInputValue(value: string): number | null {
  if (!value) return null;
  const at = new Date(value).getTime();
  return Number.isNaN(at) ? null : at;
}
