import type { Flow, Schedule } from '@flowdeck/types';
import { useId } from 'react';
import { Disclosure } from '../../../components/ui/Disclosure.tsx';
import { EmptyState, ErrorState, Loading } from '../../../components/ui/States.tsx';
import { usePermission } from '../../auth/access.tsx';
import { useSchedules } from '../hooks/useSchedules.ts';
import { ScheduleItem } from './ScheduleItem.tsx';
import '../schedules.css';

interface SchedulesSectionProps {
  flow: Flow;
  onCreate: () => void;
  onEdit: (schedule: Schedule) => void;
  onOpen: (schedule: Schedule) => void;
}

/** The selected flow's schedules, in a section that folds away; open by default. */
export function SchedulesSection({ flow, onCreate, onEdit, onOpen }: SchedulesSectionProps) {
  const schedules = useSchedules(flow.name);
  const operate = usePermission('operate');
  const headingId = useId();
  const count = schedules.data?.length;

  return (
    <section className="panel" aria-labelledby={headingId}>
      <Disclosure
        label="Schedules"
        defaultOpen
        regionClassName="panel-body"
        wrapButton={(button) => (
          <h2 className="panel-heading" id={headingId}>
            {button}
            {count !== undefined ? <span className="count">{count}</span> : null}
          </h2>
        )}
      >
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
      </Disclosure>
    </section>
  );
}
