import { type FormEvent, useId, useState } from 'react';
import { Dialog } from '../../../components/ui/Dialog.tsx';
import { ProblemAlert } from '../../../components/ui/ProblemAlert.tsx';

/** The API keeps at most this many characters of a pause reason. */
const REASON_MAX = 500;

interface PauseDialogProps {
  name: string;
  busy: boolean;
  error: Error | null;
  onPause: (reason: string | undefined) => void;
  onCancel: () => void;
}

/** Pauses a schedule, with an optional reason that the list and the details then show. */
export function PauseDialog({ name, busy, error, onPause, onCancel }: PauseDialogProps) {
  const [reason, setReason] = useState('');
  const id = useId();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    onPause(reason.trim() || undefined);
  };
  return (
    <Dialog
      title="Pause schedule"
      size="small"
      onClose={onCancel}
      description={
        <>
          <strong>{name}</strong> will not fire until it is resumed. Fires due meanwhile are skipped, not made
          up.
        </>
      }
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <div className="field">
          <label htmlFor={id}>Reason (optional)</label>
          <input
            id={id}
            className="input"
            value={reason}
            maxLength={REASON_MAX}
            placeholder="e.g. upstream maintenance until Monday"
            autoComplete="off"
            onChange={(event) => setReason(event.target.value)}
          />
        </div>
        {error ? <ProblemAlert title="Could not pause the schedule" error={error} /> : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Pausing…' : 'Pause schedule'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
