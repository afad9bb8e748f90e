import type { Schedule } from '@flowdeck/types';
import { useState } from 'react';
import { errorMessage } from '../../../api/client.ts';
import { ConfirmDialog } from '../../../components/ui/ConfirmDialog.tsx';
import { useToast } from '../../../components/ui/Toast.tsx';
import { usePermission } from '../../auth/access.tsx';
import { useScheduleActions } from '../hooks/useSchedules.ts';
import { runNowNotice } from '../occurrence-outcome.ts';
import { PauseDialog } from './PauseDialog.tsx';
import '../schedules.css';

interface ScheduleActionsProps {
  flowName: string;
  schedule: Schedule;
  /** How the schedule is named to the person: its description, else its pattern. */
  name: string;
  onEdit: () => void;
}

/** Pause (with a reason) or resume, edit, run now and delete (after a confirmation). */
export function ScheduleActions({ flowName, schedule, name, onEdit }: ScheduleActionsProps) {
  const toast = useToast();
  const actions = useScheduleActions(flowName);
  const [asking, setAsking] = useState<'pause' | 'delete' | null>(null);
  const operate = usePermission('operate');
  const title = operate.reason;
  const readOnly = !operate.allowed;
  const paused = schedule.status === 'paused';

  const closeDialog = () => {
    actions.pause.reset();
    actions.remove.reset();
    setAsking(null);
  };
  const pause = (reason: string | undefined) =>
    actions.pause.mutate(
      { id: schedule.id, reason },
      {
        onSuccess: () => {
          setAsking(null);
          toast.success(reason ? `Schedule paused: ${reason}` : 'Schedule paused');
        },
      },
    );
  const resume = () =>
    actions.resume.mutate(schedule.id, {
      onSuccess: () => toast.success('Schedule resumed'),
      onError: (error) => toast.error(errorMessage(error)),
    });
  const runNow = () =>
    actions.trigger.mutate(schedule.id, {
      onSuccess: ({ occurrence }) => {
        const notice = runNowNotice(occurrence);
        toast[notice.tone](notice.message);
      },
      onError: (error) => toast.error(errorMessage(error)),
    });
  const remove = async () => {
    // Awaited rather than a mutate callback: on success this row leaves the list and unmounts.
    const response = await actions.remove.mutateAsync(schedule.id).catch(() => null);
    if (!response) return;
    setAsking(null);
    toast.success(response.message || 'Schedule deleted');
  };

  return (
    <div className="schedule-actions">
      {paused ? (
        <button
          type="button"
          className="button button-small"
          disabled={readOnly || actions.resume.isPending}
          title={title}
          onClick={resume}
        >
          Resume
        </button>
      ) : (
        <button
          type="button"
          className="button button-small"
          disabled={readOnly || schedule.status === 'completed'}
          title={title}
          onClick={() => setAsking('pause')}
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
        onClick={runNow}
      >
        Run now
      </button>
      <button
        type="button"
        className="button button-small button-danger"
        onClick={() => setAsking('delete')}
        disabled={readOnly}
        title={title}
      >
        Delete
      </button>
      {asking === 'pause' ? (
        <PauseDialog
          name={name}
          busy={actions.pause.isPending}
          error={actions.pause.error}
          onPause={pause}
          onCancel={closeDialog}
        />
      ) : null}
      {asking === 'delete' ? (
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
          onCancel={closeDialog}
          onConfirm={remove}
        />
      ) : null}
    </div>
  );
}
