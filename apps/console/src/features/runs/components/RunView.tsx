import type { Run, RunEvent } from '@flowdeck/types';
import { flowsUrl, navigate, runUrl } from '../../../app/router.ts';
import { StatusBadge } from '../../../components/ui/Badge.tsx';
import { JsonView } from '../../../components/ui/JsonView.tsx';
import { Link } from '../../../components/ui/Link.tsx';
import { ErrorState, Loading } from '../../../components/ui/States.tsx';
import { isFinished, useRun } from '../hooks/useRun.ts';
import { useRunEvents } from '../hooks/useRunEvents.ts';
import { EventTimeline } from './EventTimeline.tsx';
import { RunActions } from './RunActions.tsx';
import { RunFacts } from './RunFacts.tsx';
import { StepGraph } from './StepGraph.tsx';
import '../runs.css';

interface RunViewProps {
  flowName: string;
  runId: string;
  /** `panel` beside the runs list on the flows page, `page` on its own URL. */
  variant: 'panel' | 'page';
  onClose?: () => void;
}

/** Everything about one run: status, timing, steps, input and output, and its live events. */
export function RunView({ flowName, runId, variant, onClose }: RunViewProps) {
  const run = useRun(flowName, runId);
  const stream = useRunEvents(
    flowName,
    runId,
    run.data ? { active: !isFinished(run.data), fetchedAt: run.dataUpdatedAt } : undefined,
  );
  // Other runs (replays, the replayed one) open the way this one is shown.
  const runHref = (id: string) =>
    variant === 'page' ? runUrl(flowName, id) : flowsUrl({ flow: flowName, run: id });

  return (
    <section className={`run-view run-view-${variant}`} aria-label={`Run ${runId}`}>
      <header className="run-view-header">
        <h2>
          Run <code>{runId.slice(0, 8)}</code>
        </h2>
        {run.data ? <StatusBadge status={run.data.status} /> : null}
        <div className="spacer" />
        {run.data ? (
          <RunActions
            run={run.data}
            onReplayed={(id) => navigate(runHref(id))}
            onDeleted={() => navigate(flowsUrl({ flow: flowName }))}
          />
        ) : null}
        {run.data ? (
          <button
            type="button"
            className="button button-small"
            onClick={() => exportRun(run.data, stream.events)}
          >
            Export JSON
          </button>
        ) : null}
        {variant === 'panel' ? (
          <>
            <Link className="button button-small" href={runUrl(flowName, runId)}>
              Open page
            </Link>
            {onClose ? (
              <button type="button" className="button button-small" onClick={onClose}>
                Close run
              </button>
            ) : null}
          </>
        ) : null}
      </header>
      {run.isPending ? (
        <Loading label="Loading run…" />
      ) : run.isError ? (
        <ErrorState title="Could not load this run" error={run.error} onRetry={() => run.refetch()} />
      ) : (
        <>
          <RunFacts run={run.data} runHref={runHref} />
          {run.data.error ? (
            <p className="run-error" role="note">
              Failed{run.data.error.step ? ` in ${run.data.error.step}` : ''}: {run.data.error.message}
            </p>
          ) : null}
          <h3>Steps</h3>
          <StepGraph steps={run.data.steps} />
          <div className="io-grid">
            <div>
              <h3>Input</h3>
              <JsonView value={run.data.input} label="Run input" />
            </div>
            <div>
              <h3>Output</h3>
              <JsonView value={run.data.output} label="Run output" />
            </div>
          </div>
        </>
      )}
      <h3>Timeline</h3>
      <EventTimeline events={stream.events} state={stream.state} error={stream.error} />
    </section>
  );
}

/** Downloads the run and its events as one JSON file. */
function exportRun(run: Run, events: RunEvent[]) {
  const blob = new Blob([JSON.stringify({ run, events }, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = `${run.flowName}-${run.id}.json`;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
