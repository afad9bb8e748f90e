import type { Flow, Schedule } from '@flowdeck/types';
import { useId, useState } from 'react';
import { EmptyState, ErrorState, Loading } from '../../../components/ui/States.tsx';
import { usePermission } from '../../auth/access.tsx';
import { useSchedules } from '../hooks/useSchedules.ts';
import { ScheduleItem } from './ScheduleItem.tsx';

interface SchedulesSectionProps {
  flow: Flow;
  onCreate: () => void;
  onEdit: (schedule: Schedule) => void;
  onOpen: (schedule: Schedule) => void;
}

/** The selected flow's schedules, in a section that folds away; open by default. */
export function SchedulesSection({ flow, onCreate, onEdit, onOpen }: SchedulesSectionProps) {
  const [open, setOpen] = useState(true);
  const schedules = useSchedules(flow.name);
  const operate = usePermission('operate');
  const panelId = useId();
  const count = schedules.data?.length;

  return (
    <section className="panel" aria-labelledby={`${panelId}-heading`}>
      <h2 className="panel-heading" id={`${panelId}-heading`}>
        <button
          type="button"
          className="disclosure"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((value) => !value)}
        >
          <span aria-hidden="true" className="chevron" />
          Schedules
        </button>
        {count !== undefined ? <span className="count">{count}</span> : null}
      </h2>
      {open ? (
        <div id={panelId} className="panel-body">
          {schedules.isPending ? (
            <Loading label="Loading schedules…" />
          ) : schedules.isError ? (
            <ErrorState
              title="Could not load schedules"
              error={schedules.error}
              onRetry={() => schedules.refetch()}
            />
          ) : schedules.data.length === 0 ? (
            <EmptyState title="No schedules yet">
              <button
                type="button"
                className="button button-primary"
                onClick={onCreate}
                disabled={!operate.allowed}
                title={operate.reason}
              >
                Schedule
              </button>
            </EmptyState>
          ) : (
            <ul className="schedule-list" aria-label={`Schedules of ${flow.name}`}>
              {schedules.data.map((schedule) => (
                <ScheduleItem
                  key={schedule.id}
                  flow={flow}
                  schedule={schedule}
                  onEdit={() => onEdit(schedule)}
                  onOpen={() => onOpen(schedule)}
                />
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </section>
  );
}
