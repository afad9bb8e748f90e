import type { Run } from '@flowdeck/types';
import { flowsUrl } from '../../../app/router.ts';
import { Link } from '../../../components/ui/Link.tsx';
import { ExactTime, RelativeTime } from '../../../components/ui/RelativeTime.tsx';
import { RunDuration } from './RunsList.tsx';

interface RunFactsProps {
  run: Run;
  /** Where another run of this flow opens: beside the list, or on its own page, as this one does. */
  runHref: (runId: string) => string;
}

/** The run at a glance: flow, trigger (and the run it replays), times, steps and its replays. */
export function RunFacts({ run, runHref }: RunFactsProps) {
  return (
    <dl className="facts run-facts">
      <div>
        <dt>Flow</dt>
        <dd>
          <Link href={flowsUrl({ flow: run.flowName })}>{run.flowName}</Link>
        </dd>
      </div>
      <div>
        <dt>Trigger</dt>
        <dd>
          <span>{run.trigger.type}</span>
          {run.trigger.type === 'schedule' && run.trigger.scheduleId ? (
            <>
              {' · '}
              <Link href={flowsUrl({ flow: run.flowName, schedule: run.trigger.scheduleId })}>
                View schedule
              </Link>
            </>
          ) : null}
        </dd>
      </div>
      {run.trigger.of ? (
        <div>
          <dt>Replay of</dt>
          <dd>
            <RunLink runId={run.trigger.of} runHref={runHref} />
          </dd>
        </div>
      ) : null}
      {run.trigger.scheduledFor !== undefined ? (
        <div>
          <dt>Planned for</dt>
          <dd>
            <ExactTime at={run.trigger.scheduledFor} />
          </dd>
        </div>
      ) : null}
      <div>
        <dt>Created</dt>
        <dd>
          <RelativeTime at={run.createdAt} />
        </dd>
      </div>
      <div>
        <dt>Started</dt>
        <dd>{run.startedAt !== null ? <ExactTime at={run.startedAt} /> : '—'}</dd>
      </div>
      <div>
        <dt>Finished</dt>
        <dd>{run.finishedAt !== null ? <ExactTime at={run.finishedAt} /> : '—'}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>
          <RunDuration run={run} />
        </dd>
      </div>
      <div>
        <dt>Steps</dt>
        <dd>
          {run.stepCounts.completed}/{run.stepCounts.total}
        </dd>
      </div>
      {run.replays.length > 0 ? (
        <div>
          <dt>Replays</dt>
          <dd>
            <ul className="run-replays" aria-label="Replays">
              {run.replays.map((id) => (
                <li key={id}>
                  <RunLink runId={id} runHref={runHref} />
                </li>
              ))}
            </ul>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function RunLink({ runId, runHref }: { runId: string; runHref: (runId: string) => string }) {
  return (
    <Link href={runHref(runId)} aria-label={`Run ${runId.slice(0, 8)}`}>
      <code>{runId.slice(0, 8)}</code>
    </Link>
  );
}
