import { errorMessage } from '../../../api/client.ts';
import { useFlows } from '../hooks/useFlows.ts';

export function FlowsPage() {
  const flows = useFlows();
  if (flows.isPending) return <p role="status">Loading flows…</p>;
  if (flows.isError) return <p role="alert">Could not load flows: {errorMessage(flows.error)}</p>;
  if (flows.data.length === 0) return <p>No flows yet. Start a worker that hosts flows.</p>;
  return (
    <section aria-labelledby="flows-heading">
      <h1 id="flows-heading">Flows</h1>
      <ul className="flow-list">
        {flows.data.map((flow) => (
          <li key={flow.name}>
            <strong>{flow.name}</strong> — {flow.description}
            {flow.live ? null : <span className="muted"> (no live worker)</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
