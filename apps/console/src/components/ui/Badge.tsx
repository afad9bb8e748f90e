import type { ReactNode } from 'react';
import './Badge.css';

export type BadgeTone = 'neutral' | 'info' | 'success' | 'danger' | 'warning' | 'muted';

const TONES: Record<string, BadgeTone> = {
  queued: 'neutral',
  pending: 'neutral',
  running: 'info',
  completed: 'success',
  failed: 'danger',
  canceled: 'muted',
  skipped: 'muted',
  active: 'success',
  paused: 'warning',
  started: 'success',
  'skipped-overlap': 'warning',
  'missed-catchup': 'danger',
  'missed-overload': 'danger',
  duplicate: 'muted',
};

/** A small colored label; for statuses the tone follows from the word itself. */
export function Badge({ children, tone }: { children: ReactNode; tone?: BadgeTone }) {
  const resolved = tone ?? (typeof children === 'string' ? (TONES[children] ?? 'neutral') : 'neutral');
  return <span className={`badge badge-${resolved}`}>{children}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${TONES[status] ?? 'neutral'}`} data-status={status}>
      {status === 'running' ? <span className="pulse" aria-hidden="true" /> : null}
      {status}
    </span>
  );
}
