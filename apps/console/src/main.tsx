import './zod-config.ts';
// First, so the styles beside components and features come after it and can refine it.
import './styles.css';
import { FlowdeckApiError } from '@flowdeck/client';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { session } from './features/auth/session.ts';
import { signOut } from './features/auth/sign-out.ts';

/** A token the API stops accepting (removed, rotated) sends the person back to sign in. */
function onError(error: unknown) {
  if (error instanceof FlowdeckApiError && error.status === 401 && session.token() !== null) {
    signOut(queryClient, { expired: true });
  }
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: { retry: 1, staleTime: 1_000, refetchOnWindowFocus: true },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
