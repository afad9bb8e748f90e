import type { Run } from '@flowdeck/types';
import { useId, useState } from 'react';
import { errorMessage } from '../../../api/client.ts';
import { ConfirmDialog } from '../../../components/ui/ConfirmDialog.tsx';
import { useToast } from '../../../components/ui/Toast.tsx';
import { usePermission } from '../../auth/access.tsx';
import { useRunActions } from '../hooks/useRunActions.ts';
import { statusBlocks } from '../run-action-rules.ts';
import { CancelRunDialog } from './CancelRunDialog.tsx';
import { ReplayDialog } from './ReplayDialog.tsx';

interface RunActionsProps {
  run: Run;
  /** Opens the new run a replay started. */
  onReplayed: (runId: string) => void;
  /** Leaves the view of a run that no longer exists. */
  onDeleted: () => void;
}

/**
 * Cancel (asks, with an optional reason), retry, replay (with the input to edit) and delete
 * (asks; admin only). Each button is off, with the reason on it, when the token's scope or the
 * run's status does not allow it.
 */
export function RunActions({ run, onReplayed, onDeleted }: RunActionsProps) {
  const toast = useToast();
  const actions = useRunActions(run.flowName, run.id);
  const [asking, setAsking] = useState<'cancel' | 'replay' | 'delete' | null>(null);
  const operate = usePermission('operate', 'canceling, retrying and replaying runs');
  const admin = usePermission('admin', 'deleting runs');
  const short = run.id.slice(0, 8);

  const close = () => {
    actions.cancel.reset();
    actions.replay.reset();
    actions.remove.reset();
    setAsking(null);
  };
  const cancel = (reason: string | undefined) =>
    actions.cancel.mutate(reason, {
      onSuccess: () => {
        setAsking(null);
        toast.success(reason ? `Canceled run ${short}: ${reason}` : `Canceled run ${short}`);
      },
    });
  const retry = () =>
    actions.retry.mutate(undefined, {
      onSuccess: (retried) => {
        const again = retried.steps.filter((step) => step.status !== 'completed').map((step) => step.name);
        toast.success(`Retrying run ${short}: ${again.join(', ')} will run again`);
      },
      onError: (error) => toast.error(errorMessage(error)),
    });
  // Awaited rather than mutate callbacks: on success this view makes way for another and unmounts.
  const replay = async (input: unknown) => {
    const replayed = await actions.replay.mutateAsync(input).catch(() => null);
    if (!replayed) return;
    setAsking(null);
    toast.success(`Replaying run ${short} as run ${replayed.runId.slice(0, 8)}`);
    onReplayed(replayed.runId);
  };
  const remove = async () => {
    const removed = await actions.remove.mutateAsync().catch(() => null);
    if (!removed) return;
    setAsking(null);
    toast.success(`Deleted run ${short}`);
    onDeleted();
  };

  return (
    <fieldset className="run-actions">
      <legend className="visually-hidden">Run actions</legend>
      <ActionButton
        label="Cancel"
        blocked={operate.reason ?? statusBlocks('cancel', run.status)}
        busy={actions.cancel.isPending}
        onClick={() => setAsking('cancel')}
      />
      <ActionButton
        label="Retry"
        blocked={operate.reason ?? statusBlocks('retry', run.status)}
        busy={actions.retry.isPending}
        onClick={retry}
      />
      <ActionButton
        label="Replay…"
        blocked={operate.reason ?? statusBlocks('replay', run.status)}
        busy={actions.replay.isPending}
        onClick={() => setAsking('replay')}
      />
      <ActionButton
        label="Delete"
        danger
        blocked={admin.reason ?? statusBlocks('delete', run.status)}
        busy={actions.remove.isPending}
        onClick={() => setAsking('delete')}
      />
      {asking === 'cancel' ? (
        <CancelRunDialog
          runId={run.id}
          busy={actions.cancel.isPending}
          error={actions.cancel.error}
          onConfirm={cancel}
          onDismiss={close}
        />
      ) : null}
      {asking === 'replay' ? (
        <ReplayDialog
          run={run}
          busy={actions.replay.isPending}
          error={actions.replay.error}
          onReplay={replay}
          onDismiss={close}
        />
      ) : null}
      {asking === 'delete' ? (
        <ConfirmDialog
          title="Delete run?"
          message={
            <>
              Run <code>{short}</code> of <strong>{run.flowName}</strong> and its events will be deleted for
              good. Its replays stay.
            </>
          }
          confirmLabel="Delete"
          busy={actions.remove.isPending}
          error={actions.remove.isError ? errorMessage(actions.remove.error) : null}
          onCancel={close}
          onConfirm={remove}
        />
      ) : null}
    </fieldset>
  );
}

interface ActionButtonProps {
  label: string;
  /** Why the button is off, or null: on its tooltip and as its accessible description. */
  blocked: string | null | undefined;
  busy: boolean;
  danger?: boolean;
  onClick: () => void;
}

function ActionButton({ label, blocked, busy, danger, onClick }: ActionButtonProps) {
  const noteId = useId();
  return (
    <>
      <button
        type="button"
        className={`button button-small${danger ? ' button-danger' : ''}`}
        disabled={Boolean(blocked) || busy}
        title={blocked ?? undefined}
        aria-describedby={blocked ? noteId : undefined}
        onClick={onClick}
      >
        {label}
      </button>
      {blocked ? (
        <span id={noteId} className="visually-hidden">
          {blocked}
        </span>
      ) : null}
    </>
  );
}
