import { flowsUrl } from '../../../app/router.ts';
import { Link } from '../../../components/ui/Link.tsx';
import { RunView } from './RunView.tsx';
import '../runs.css';

/** `/flows/:name/runs/:runId`: one run on its own page, for sharing and for long runs. */
export default function RunPage({ flowName, runId }: { flowName: string; runId: string }) {
  return (
    <div className="run-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href={flowsUrl({ flow: flowName })}>← {flowName}</Link>
      </nav>
      <RunView key={runId} flowName={flowName} runId={runId} variant="page" />
    </div>
  );
}
