import { FlowsPage } from '../features/flows/components/FlowsPage.tsx';
import { useRoute } from './router.ts';

export function App() {
  const route = useRoute();
  return (
    <div className="app">
      <header className="app-header">
        <a className="brand" href="/flows">
          Flowdeck
        </a>
      </header>
      <main className="app-main">
        {route.name === 'not-found' ? <p>Nothing here: {route.path}</p> : <FlowsPage />}
      </main>
    </div>
  );
}
