import { RunStatus, type RunSummary } from '@flowdeck/types';
import { useId, useState } from 'react';
import { flowsUrl, navigate } from '../../../app/router.ts';
import { StatusBadge } from '../../../components/ui/Badge.tsx';
import { Link } from '../../../components/ui/Link.tsx';
import { RelativeTime } from '../../../components/ui/RelativeTime.tsx';
import { EmptyState, ErrorState, Loading } from '../../../components/ui/States.tsx';
import { formatDuration } from '../../../lib/time.ts';
import { useNow } from '../../../lib/use-now.ts';
import { usePermission } from '../../auth/access.tsx';
import { useRuns } from '../hooks/useRuns.ts';
import '../runs.css';

interface RunsListProps {
  flowName: string;
  selectedRunId: string | undefined;
}

/** The flow's runs, newest first and live; a row opens the run. */
export function RunsList({ flowName, selectedRunId }: RunsListProps) {
  const operate = usePermission('operate');
  const [status, setStatus] = useState<RunStatus | undefined>(undefined);
  const runs = useRuns(flowName, status);
  const headingId = useId();
  const filterId = useId();

  return (
    <section className="panel" aria-labelledby={headingId}>
      <div className="panel-heading">
        <h2 id={headingId}>Runs</h2>
        <div className="inline-field">
          <label htmlFor={filterId}>Status</label>
          <select
            id={filterId}
            className="input input-small"
            value={status ?? ''}
            onChange={(event) =>
              setStatus(event.target.value ? (event.target.value as RunStatus) : undefined)
            }
          >
            <option value="">All</option>
            {RunStatus.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="panel-body">
        {runs.isPending ? (
          <Loading label="Loading runs…" />
        ) : runs.isError && runs.runs.length === 0 ? (
          <ErrorState title="Could not load runs" error={runs.error} onRetry={() => runs.refetch()} />
        ) : runs.runs.length === 0 ? (
          <EmptyState
            title={
              status
                ? `No ${status} runs.`
                : `No runs yet.${operate.allowed ? ' Press Start to run this flow.' : ''}`
            }
          />
        ) : (
          <>
            {runs.isError ? (
              <p role="alert" className="form-error">
                Live updates paused: {runs.error.message}
              </p>
            ) : null}
            <div className="table-scroll">
              <table className="table runs-table">
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Status</th>
                    <th scope="col">Trigger</th>
                    <th scope="col">Started</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Steps</th>
                  </tr>
                </thead>
                <tbody>
                  {runs.runs.map((run) => (
                    <RunRow key={run.id} run={run} flowName={flowName} selected={run.id === selectedRunId} />
                  ))}
                </tbody>
              </table>
            </div>
            {runs.hasNextPage ? (
              <button
                type="button"
                className="button button-small load-more"
                disabled={runs.isFetchingNextPage}
                onClick={() => runs.fetchNextPage()}
              >
                {runs.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            ) : null}
          </>
        )}
      </div>
    </section>
  );
}

function RunRow({ run, flowName, selected }: { run: RunSummary; flowName: string; selected: boolean }) {
  const href = flowsUrl({ flow: flowName, run: run.id });
  return (
    <tr
      className={selected ? 'row-selected' : undefined}
      aria-current={selected ? 'true' : undefined}
      data-run-id={run.id}
      onClick={(event) => {
        if ((event.target as HTMLElement).closest('a')) return;
        navigate(href);
      }}
    >
      <td className="run-id">
        <Link href={href} aria-label={`Run ${run.id.slice(0, 8)}`}>
          <code>{run.id.slice(0, 8)}</code>
        </Link>
      </td>
      <td className="run-status">
        <StatusBadge status={run.status} />
      </td>
      <td className="run-trigger">{run.trigger.type}</td>
      <td className="run-started">
        <RelativeTime at={run.startedAt ?? run.createdAt} />
      </td>
      {/* data-label: on narrow screens the header row is hidden and each row names its cells. */}
      <td className="run-duration" data-label="Duration">
        <RunDuration run={run} />
      </td>
      <td className="run-steps" data-label="Steps">
        <span title={`${run.steps.completed} of ${run.steps.total} steps completed`}>
          {run.steps.completed}/{run.steps.total}
        </span>
      </td>
    </tr>
  );
}

/** Final duration, or the running time so far while the run goes on. */
export function RunDuration({ run }: { run: Pick<RunSummary, 'startedAt' | 'finishedAt'> }) {
  const now = useNow();
  if (run.startedAt === null) return <span className="muted">—</span>;
  const end = run.finishedAt ?? now;
  return <span>{formatDuration(end - run.startedAt)}</span>;
}
