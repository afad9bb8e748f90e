import type { Scope, Whoami } from '@flowdeck/types';
import { createContext, type ReactNode, useContext } from 'react';

const WHAT: Record<Scope, string> = {
  read: 'seeing flows, runs and schedules',
  operate: 'starting runs and changing schedules',
  admin: 'the audit trail',
};

export interface Permission {
  allowed: boolean;
  /** Why not, in words for the person: shown beside and on the disabled control. */
  reason: string | undefined;
}

const AccessContext = createContext<Whoami | null>(null);

export function AccessProvider({ whoami, children }: { whoami: Whoami; children: ReactNode }) {
  return <AccessContext.Provider value={whoami}>{children}</AccessContext.Provider>;
}

export function useAccess(): Whoami {
  const whoami = useContext(AccessContext);
  if (!whoami) throw new Error('useAccess outside AccessProvider');
  return whoami;
}

/**
 * Whether the signed-in token may do what needs `scope`, and if not, why. `what` names the
 * action in that reason when the scope's usual wording does not fit it.
 */
export function usePermission(scope: Scope, what: string = WHAT[scope]): Permission {
  const { name, scopes } = useAccess();
  if (scopes.includes(scope)) return { allowed: true, reason: undefined };
  const granted = scopes.at(-1) ?? 'no';
  return {
    allowed: false,
    reason: `Your token '${name}' has the ${granted} scope; ${what} needs ${scope}.`,
  };
}
