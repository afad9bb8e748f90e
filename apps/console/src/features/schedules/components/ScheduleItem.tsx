import type { Flow, Schedule } from '@flowdeck/types';
import { Badge, StatusBadge } from '../../../components/ui/Badge.tsx';
import { ExactTime, RelativeTime } from '../../../components/ui/RelativeTime.tsx';
import { describeSchedule } from '../schedule-spec.ts';
import { ScheduleActions } from './ScheduleActions.tsx';
import '../schedules.css';

interface ScheduleItemProps {
  flow: Flow;
  schedule: Schedule;
  onEdit: () => void;
  onOpen: () => void;
}

/** One schedule: what it is, when it runs next, how it has run, and what can be done to it. */
export function ScheduleItem({ flow, schedule, onEdit, onOpen }: ScheduleItemProps) {
  const { pattern, text } = describeSchedule(schedule);
  const paused = schedule.status === 'paused';

  return (
    <li className="schedule-item" data-schedule-id={schedule.id}>
      <div className="schedule-main">
        <button type="button" className="link-button schedule-title" onClick={onOpen} title="Show details">
          <code className="schedule-pattern">{pattern}</code>
        </button>
        <StatusBadge status={schedule.status} />
        <span className="schedule-text">{text}</span>
        {schedule.schedule.tz ? <span className="muted schedule-tz">{schedule.schedule.tz}</span> : null}
      </div>
      {paused && schedule.pausedReason ? (
        <p className="schedule-paused-reason">Paused: {schedule.pausedReason}</p>
      ) : null}
      {schedule.metadata.description ? (
        <p className="schedule-description">{schedule.metadata.description}</p>
      ) : null}
      {schedule.metadata.tags?.length ? (
        <p className="tags">
          <span className="visually-hidden">Tags:</span>
          {schedule.metadata.tags.map((tag) => (
            <Badge key={tag} tone="muted">
              {tag}
            </Badge>
          ))}
        </p>
      ) : null}
      <dl className="schedule-facts">
        <div>
          <dt>Next run</dt>
          <dd>
            <NextRun schedule={schedule} />
          </dd>
        </div>
        <div>
          <dt>Runs</dt>
          <dd>{schedule.stats.count}</dd>
        </div>
        <div>
          <dt>Last run</dt>
          <dd>{schedule.stats.lastRun !== null ? <RelativeTime at={schedule.stats.lastRun} /> : 'never'}</dd>
        </div>
      </dl>
      <ScheduleActions
        flowName={flow.name}
        schedule={schedule}
        name={schedule.metadata.description || pattern}
        onEdit={onEdit}
      />
    </li>
  );
}

/** "in 3 hours · 5 Dec 2026, 17:00:00 PST (6 Dec 2026, 02:00:00 CET in Europe/Berlin)". */
function NextRun({ schedule }: { schedule: Schedule }) {
  if (schedule.status === 'paused') return <>paused</>;
  if (schedule.nextRun === null) return <>—</>;
  return (
    <>
      <RelativeTime at={schedule.nextRun} timeZone={schedule.schedule.tz} />
      <span className="muted">
        {' · '}
        <ExactTime at={schedule.nextRun} timeZone={schedule.schedule.tz} />
      </span>
    </>
  );
}
