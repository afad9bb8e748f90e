import type { Flow, Schedule } from '@flowdeck/types';
import { useState } from 'react';
import { errorMessage } from '../../../api/client.ts';
import { Badge, StatusBadge } from '../../../components/ui/Badge.tsx';
import { ConfirmDialog } from '../../../components/ui/ConfirmDialog.tsx';
import { RelativeTime } from '../../../components/ui/RelativeTime.tsx';
import { useToast } from '../../../components/ui/Toast.tsx';
import { formatDateTime } from '../../../lib/time.ts';
import { usePermission } from '../../auth/access.tsx';
import { useScheduleActions } from '../hooks/useSchedules.ts';
import { describeSchedule } from '../schedule-spec.ts';

interface ScheduleItemProps {
  flow: Flow;
  schedule: Schedule;
  onEdit: () => void;
  onOpen: () => void;
}

/** One schedule: what it is, when it runs next, how it has run, and what can be done to it. */
export function ScheduleItem({ flow, schedule, onEdit, onOpen }: ScheduleItemProps) {
  const toast = useToast();
  const actions = useScheduleActions(flow.name);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const operate = usePermission('operate');
  const title = operate.reason;
  const readOnly = !operate.allowed;
  const { pattern, text } = describeSchedule(schedule);
  const name = schedule.metadata.description || pattern;

  const report = (done: string) =>
    ({
      onSuccess: () => toast.success(done),
      onError: (error: unknown) => toast.error(errorMessage(error)),
    }) as const;

  const paused = schedule.status === 'paused';
  const completed = schedule.status === 'completed';

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
            {schedule.nextRun !== null && !paused ? (
              <>
                <RelativeTime at={schedule.nextRun} timeZone={schedule.schedule.tz} />{' '}
                <span className="muted">({formatDateTime(schedule.nextRun, schedule.schedule.tz)})</span>
              </>
            ) : paused ? (
              'paused'
            ) : (
              '—'
            )}
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
      <div className="schedule-actions">
        {paused ? (
          <button
            type="button"
            className="button button-small"
            disabled={readOnly || actions.resume.isPending}
            title={title}
            onClick={() => actions.resume.mutate(schedule.id, report('Schedule resumed'))}
          >
            Resume
          </button>
        ) : (
          <button
            type="button"
            className="button button-small"
            disabled={readOnly || completed || actions.pause.isPending}
            title={title}
            onClick={() => actions.pause.mutate(schedule.id, report('Schedule paused'))}
          >
            Pause
          </button>
        )}
        <button
          type="button"
          className="button button-small"
          onClick={onEdit}
          disabled={readOnly}
          title={title}
        >
          Edit
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={readOnly || actions.trigger.isPending}
          title={title}
          onClick={() =>
            actions.trigger.mutate(schedule.id, {
              onSuccess: ({ occurrence }) =>
                toast.success(
                  occurrence.outcome === 'started' || occurrence.outcome === 'queued'
                    ? `Run ${occurrence.outcome}${occurrence.runId ? `: ${occurrence.runId.slice(0, 8)}` : ''}`
                    : `Not started: ${occurrence.outcome}${occurrence.error ? ` (${occurrence.error})` : ''}`,
                ),
              onError: (error) => toast.error(errorMessage(error)),
            })
          }
        >
          Run now
        </button>
        <button
          type="button"
          className="button button-small button-danger"
          onClick={() => setConfirmingDelete(true)}
          disabled={readOnly}
          title={title}
        >
          Delete
        </button>
      </div>
      {confirmingDelete ? (
        <ConfirmDialog
          title="Delete schedule?"
          message={
            <>
              <strong>{name}</strong> will never fire again. Its past runs stay.
            </>
          }
          confirmLabel="Delete"
          busy={actions.remove.isPending}
          error={actions.remove.isError ? errorMessage(actions.remove.error) : null}
          onCancel={() => {
            actions.remove.reset();
            setConfirmingDelete(false);
          }}
          onConfirm={async () => {
            // Awaited rather than a mutate callback: on success this row leaves the list and unmounts.
            const response = await actions.remove.mutateAsync(schedule.id).catch(() => null);
            if (!response) return;
            setConfirmingDelete(false);
            toast.success(response.message || 'Schedule deleted');
          }}
        />
      ) : null}
    </li>
  );
}
