import type { ReactNode } from 'react';
import { ErrorState, Loading } from '../../../components/ui/States.tsx';
import { AccessProvider } from '../access.tsx';
import { useWhoami } from '../hooks/useWhoami.ts';
import { session } from '../session.ts';
import { SignInPage } from './SignInPage.tsx';

/**
 * Shows the console once the API says who is calling; on an API that needs a token and has
 * none (or a stale one) from this tab, the sign-in page instead.
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const whoami = useWhoami();
  if (whoami.isPending) return <Loading label="Loading…" />;
  if (whoami.isError) {
    return (
      <ErrorState title="Could not reach Flowdeck" error={whoami.error} onRetry={() => whoami.refetch()} />
    );
  }
  if (whoami.data.tokenError) return <SignInPage expired />;
  if (whoami.data.authRequired && whoami.data.name === null)
    return <SignInPage expired={session.expired()} />;
  return <AccessProvider whoami={whoami.data}>{children}</AccessProvider>;
}
