import { type FormEvent, useId, useState } from 'react';
import { Dialog } from '../../../components/ui/Dialog.tsx';
import { ProblemAlert } from '../../../components/ui/ProblemAlert.tsx';

/** The API keeps at most this many characters of a cancel reason. */
const REASON_MAX = 500;

interface CancelRunDialogProps {
  runId: string;
  busy: boolean;
  error: Error | null;
  onConfirm: (reason: string | undefined) => void;
  onDismiss: () => void;
}

/** Asks before canceling a run, with an optional reason that its timeline then shows. */
export function CancelRunDialog({ runId, busy, error, onConfirm, onDismiss }: CancelRunDialogProps) {
  const [reason, setReason] = useState('');
  const id = useId();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    onConfirm(reason.trim() || undefined);
  };
  return (
    <Dialog
      title="Cancel run"
      role="alertdialog"
      size="small"
      onClose={onDismiss}
      description={
        <>
          Run <code>{runId.slice(0, 8)}</code> ends at once: steps not started are skipped, and a running step
          is told to stop. It can be retried later.
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
            placeholder="e.g. started with the wrong source"
            autoComplete="off"
            onChange={(event) => setReason(event.target.value)}
          />
        </div>
        {error ? <ProblemAlert title="Could not cancel the run" error={error} /> : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onDismiss}>
            Keep running
          </button>
          <button type="submit" className="button button-danger" disabled={busy}>
            {busy ? 'Canceling…' : 'Cancel run'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
