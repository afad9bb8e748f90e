import type { Occurrence } from '@flowdeck/types';
import type { BadgeTone } from '../../components/ui/Badge.tsx';
import { formatDateTime } from '../../lib/time.ts';

/**
 * What each fire of a schedule did, in words. Keyed by plain strings rather than the wire enum:
 * an outcome newer than this console still shows, as its own name in a neutral badge.
 */
const OUTCOMES: Record<string, { label: string; tone: BadgeTone }> = {
  started: { label: 'started', tone: 'success' },
  queued: { label: 'queued', tone: 'neutral' },
  'skipped-overlap': { label: 'skipped: overlap', tone: 'warning' },
  'skipped-paused': { label: 'skipped: paused', tone: 'warning' },
  'missed-catchup': { label: 'missed: catch-up window', tone: 'danger' },
  'missed-overload': { label: 'missed: workers behind', tone: 'danger' },
  duplicate: { label: 'duplicate', tone: 'muted' },
  failed: { label: 'failed to start', tone: 'danger' },
};

export function outcomeLabel(outcome: string): string {
  return OUTCOMES[outcome]?.label ?? outcome.replace(/[-_]+/g, ' ');
}

export function outcomeTone(outcome: string): BadgeTone {
  return OUTCOMES[outcome]?.tone ?? 'neutral';
}

/**
 * What to tell the operator after "Run now". The API queues the fire and answers at once; the
 * run appears in the lists when a worker starts it, so no run id is expected here.
 */
export function runNowNotice(occurrence: Pick<Occurrence, 'outcome' | 'scheduledFor' | 'error'>): {
  tone: 'success' | 'info' | 'error';
  message: string;
} {
  const when = formatDateTime(occurrence.scheduledFor);
  if (occurrence.outcome === 'queued') return { tone: 'success', message: `Run queued for ${when}` };
  if (occurrence.outcome === 'started') return { tone: 'success', message: `Run started for ${when}` };
  const why = occurrence.error ? ` (${occurrence.error})` : '';
  return {
    tone: occurrence.outcome === 'failed' ? 'error' : 'info',
    message: `Run not started — ${outcomeLabel(occurrence.outcome)}${why}`,
  };
}
