import { lazy, Suspense } from 'react';
import { Link } from '../components/ui/Link.tsx';
import { Loading } from '../components/ui/States.tsx';
import { ToastProvider } from '../components/ui/Toast.tsx';
import { useRoute } from './router.ts';

const FlowsPage = lazy(() => import('../features/flows/components/FlowsPage.tsx'));
const RunPage = lazy(() => import('../features/runs/components/RunPage.tsx'));

export function App() {
  const route = useRoute();
  return (
    <ToastProvider>
      <div className="app">
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="app-header">
          <Link className="brand" href="/flows">
            <span className="brand-mark" aria-hidden="true" />
            Flowdeck
          </Link>
          <nav aria-label="Main">
            <Link href="/flows" aria-current={route.name !== 'not-found' ? 'page' : undefined}>
              Flows
            </Link>
          </nav>
        </header>
        <main id="main" className="app-main">
          <Suspense fallback={<Loading label="Loading…" />}>
            {route.name === 'flows' ? (
              <FlowsPage flow={route.flow} run={route.run} schedule={route.schedule} />
            ) : route.name === 'run' ? (
              <RunPage flowName={route.flow} runId={route.runId} />
            ) : (
              <div className="state state-empty">
                <h1>Page not found</h1>
                <p>
                  Nothing lives at <code>{route.path}</code>. <Link href="/flows">Go to flows</Link>.
                </p>
              </div>
            )}
          </Suspense>
        </main>
      </div>
    </ToastProvider>
  );
}
