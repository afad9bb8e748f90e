import type { RunStatus } from '@flowdeck/types';

export type RunAction = 'cancel' | 'retry' | 'replay' | 'delete';

const ACTIVE: readonly RunStatus[] = ['queued', 'running'];

/**
 * Why a run's status does not allow `action`, in words for the person, or null when it does.
 * The same rules the API answers 409 by, so a button is off exactly when the server would refuse.
 */
export function statusBlocks(action: RunAction, status: RunStatus): string | null {
  const active = ACTIVE.includes(status);
  switch (action) {
    case 'cancel':
      return active ? null : `This run has already ended (${status}); there is nothing to cancel.`;
    case 'retry':
      if (status === 'failed' || status === 'canceled') return null;
      return `Only a failed or canceled run can be retried; this one is ${status}.`;
    case 'replay':
      return null;
    case 'delete':
      return active ? `This run is ${status}: cancel it before deleting it.` : null;
  }
}
