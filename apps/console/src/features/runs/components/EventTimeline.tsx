import type { RunEvent } from '@flowdeck/types';
import { formatTime, formatUtc } from '../../../lib/time.ts';
import type { StreamState } from '../hooks/useRunEvents.ts';
import '../runs.css';

const STATE_LABEL: Record<StreamState, string> = {
  connecting: 'connecting…',
  live: 'live',
  ended: 'run ended',
  error: 'not live',
};

function eventText(event: RunEvent): string {
  const operator = operatorText(event);
  if (operator !== null) return operator;
  if (event.message) return event.message;
  if (event.error) return event.error.message;
  if (event.type === 'step.retry' && event.retryAt) return `retry at ${formatTime(event.retryAt)}`;
  return '';
}

/** Who canceled, retried or replayed the run (`data.by`), with the reason or the new run; else null. */
function operatorText(event: RunEvent): string | null {
  if (event.type !== 'run.canceled' && event.type !== 'run.retried' && event.type !== 'run.replayed')
    return null;
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as {
    by?: unknown;
    runId?: unknown;
  };
  const by = typeof data.by === 'string' ? `by ${data.by}` : '';
  if (event.type === 'run.replayed' && typeof data.runId === 'string') {
    return [`as run ${data.runId.slice(0, 8)}`, by].filter(Boolean).join(' ');
  }
  return [by, event.message].filter(Boolean).join(': ');
}

/** The run's events as they happen, with the step, attempt and log line of each. */
export function EventTimeline({
  events,
  state,
  error,
}: {
  events: RunEvent[];
  state: StreamState;
  error: string | null;
}) {
  return (
    <div className="timeline">
      <p className="timeline-state" aria-live="polite">
        <span className={`dot dot-${state}`} aria-hidden="true" /> Events: {STATE_LABEL[state]}
      </p>
      {error ? (
        <p role="alert" className="form-error">
          Could not load events: {error}
        </p>
      ) : null}
      {events.length === 0 ? (
        <p className="muted">No events yet.</p>
      ) : (
        <ol className="timeline-list" aria-label="Events">
          {events.map((event) => (
            <li
              key={event.id}
              className={`timeline-item event-${event.type.replace('.', '-')} level-${event.level ?? 'info'}`}
            >
              <time dateTime={new Date(event.at).toISOString()} title={formatUtc(event.at)}>
                {formatTime(event.at)}
              </time>
              <span className="event-type">{event.type}</span>
              <span className="event-step">
                {event.step ?? ''}
                {event.attempt && event.attempt > 1 ? ` #${event.attempt}` : ''}
              </span>
              <span className="event-text">{eventText(event)}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
