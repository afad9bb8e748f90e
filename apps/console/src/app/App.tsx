import { lazy, Suspense } from 'react';
import { Link } from '../components/ui/Link.tsx';
import { Loading } from '../components/ui/States.tsx';
import { ToastProvider } from '../components/ui/Toast.tsx';
import { usePermission } from '../features/auth/access.tsx';
import { AuthGate } from '../features/auth/components/AuthGate.tsx';
import { UserMenu } from '../features/auth/components/UserMenu.tsx';
import { type Route, useRoute } from './router.ts';

const FlowsPage = lazy(() => import('../features/flows/components/FlowsPage.tsx'));
const RunPage = lazy(() => import('../features/runs/components/RunPage.tsx'));
const AuditPage = lazy(() => import('../features/audit/components/AuditPage.tsx'));

export function App() {
  const route = useRoute();
  return (
    <ToastProvider>
      <div className="app">
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <AuthGate>
          <Header route={route} />
          <main id="main" className="app-main">
            <Suspense fallback={<Loading label="Loading…" />}>
              <Page route={route} />
            </Suspense>
          </main>
        </AuthGate>
      </div>
    </ToastProvider>
  );
}

function Header({ route }: { route: Route }) {
  const audit = usePermission('admin');
  return (
    <header className="app-header">
      <Link className="brand" href="/flows">
        <span className="brand-mark" aria-hidden="true" />
        Flowdeck
      </Link>
      <nav aria-label="Main">
        <Link
          href="/flows"
          aria-current={route.name === 'flows' || route.name === 'run' ? 'page' : undefined}
        >
          Flows
        </Link>
        {audit.allowed ? (
          <Link href="/audit" aria-current={route.name === 'audit' ? 'page' : undefined}>
            Audit
          </Link>
        ) : null}
      </nav>
      <span className="spacer" />
      <UserMenu />
    </header>
  );
}

function Page({ route }: { route: Route }) {
  if (route.name === 'flows')
    return <FlowsPage flow={route.flow} run={route.run} schedule={route.schedule} />;
  if (route.name === 'run') return <RunPage flowName={route.flow} runId={route.runId} />;
  if (route.name === 'audit') return <AuditPage flow={route.flow} schedule={route.schedule} />;
  return (
    <div className="state state-empty">
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{route.path}</code>. <Link href="/flows">Go to flows</Link>.
      </p>
    </div>
  );
}
