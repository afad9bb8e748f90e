import type { Flow, Occurrence, ScheduleDetail } from '@flowdeck/types';
import { auditUrl, flowsUrl } from '../../../app/router.ts';
import { Badge, StatusBadge } from '../../../components/ui/Badge.tsx';
import { Dialog } from '../../../components/ui/Dialog.tsx';
import { JsonView } from '../../../components/ui/JsonView.tsx';
import { Link } from '../../../components/ui/Link.tsx';
import { ExactTime, RelativeTime } from '../../../components/ui/RelativeTime.tsx';
import { EmptyState, ErrorState, Loading } from '../../../components/ui/States.tsx';
import { formatDuration } from '../../../lib/time.ts';
import { usePermission } from '../../auth/access.tsx';
import { useSchedule } from '../hooks/useSchedules.ts';
import { outcomeLabel, outcomeTone } from '../occurrence-outcome.ts';
import { describeSchedule } from '../schedule-spec.ts';
import '../schedules.css';

/** A schedule's upcoming fire times and what each past fire did, linked to its run. */
export function ScheduleDetailDialog({
  flow,
  scheduleId,
  onClose,
}: {
  flow: Flow;
  scheduleId: string;
  onClose: () => void;
}) {
  const detail = useSchedule(flow.name, scheduleId);
  return (
    <Dialog title="Schedule details" size="large" onClose={onClose}>
      {detail.isError && !detail.schedule ? (
        <ErrorState
          title="Could not load this schedule"
          error={detail.error}
          onRetry={() => detail.refetch()}
        />
      ) : !detail.schedule ? (
        <Loading label="Loading schedule…" />
      ) : (
        <div className="schedule-detail">
          <ScheduleFacts detail={detail.schedule} />
          <Occurrences
            flow={flow}
            tz={detail.schedule.schedule.tz}
            occurrences={detail.occurrences}
            hasMore={detail.hasNextPage}
            loadingMore={detail.isFetchingNextPage}
            onLoadMore={() => detail.fetchNextPage()}
          />
          <h3>Input</h3>
          <JsonView value={detail.schedule.input} label="Schedule input" />
        </div>
      )}
    </Dialog>
  );
}

function ScheduleFacts({ detail }: { detail: ScheduleDetail }) {
  const { pattern, text } = describeSchedule(detail);
  const tz = detail.schedule.tz;
  return (
    <>
      <dl className="facts">
        <div>
          <dt>Schedule</dt>
          <dd>
            <code>{pattern}</code> · {text}
            {tz ? ` · ${tz}` : ''}
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={detail.status} />
          </dd>
        </div>
        {detail.status === 'paused' && detail.pausedReason ? (
          <div>
            <dt>Pause reason</dt>
            <dd>{detail.pausedReason}</dd>
          </div>
        ) : null}
        {detail.metadata.description ? (
          <div>
            <dt>Description</dt>
            <dd>{detail.metadata.description}</dd>
          </div>
        ) : null}
        <div>
          <dt>Runs</dt>
          <dd>
            {detail.stats.count}
            {detail.limit !== null ? ` of at most ${detail.limit}` : ''}
          </dd>
        </div>
        <div>
          <dt>Overlap</dt>
          <dd>{detail.overlap === 'skip' ? 'skip while a run is going' : 'allow'}</dd>
        </div>
        {detail.catchupWindowMs !== null ? (
          <div>
            <dt>Catch-up window</dt>
            <dd>{formatDuration(detail.catchupWindowMs)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Id</dt>
          <dd>
            <code>{detail.id}</code>
          </dd>
        </div>
        {detail.metadata.createdBy ? (
          <div>
            <dt>Created by</dt>
            <dd>{detail.metadata.createdBy}</dd>
          </div>
        ) : null}
        <ChangeHistoryLink flowName={detail.flowName} scheduleId={detail.id} />
      </dl>

      <h3>Upcoming</h3>
      {detail.status === 'paused' ? (
        <p className="muted">Paused: nothing fires until it is resumed.</p>
      ) : detail.upcoming.length === 0 ? (
        <p className="muted">Nothing upcoming.</p>
      ) : (
        <ol className="upcoming" aria-label="Upcoming runs">
          {detail.upcoming.map((at) => (
            <li key={at}>
              <ExactTime at={at} timeZone={tz} />{' '}
              <span className="muted">
                (<RelativeTime at={at} />)
              </span>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

interface OccurrencesProps {
  flow: Flow;
  tz: string | undefined;
  occurrences: Occurrence[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

function Occurrences({ flow, tz, occurrences, hasMore, loadingMore, onLoadMore }: OccurrencesProps) {
  return (
    <>
      <h3>Occurrences</h3>
      {occurrences.length === 0 ? (
        <EmptyState title="It has not fired yet." />
      ) : (
        <table className="table" aria-label="Occurrences">
          <thead>
            <tr>
              <th scope="col">Planned for</th>
              <th scope="col">Fired</th>
              <th scope="col">Outcome</th>
              <th scope="col">Run</th>
            </tr>
          </thead>
          <tbody>
            {occurrences.map((occurrence) => (
              <tr key={`${occurrence.scheduledFor}-${occurrence.firedAt}-${occurrence.runId ?? ''}`}>
                <td>
                  <ExactTime at={occurrence.scheduledFor} timeZone={tz} />
                  {occurrence.manual ? <span className="muted"> (run now)</span> : null}
                </td>
                <td>
                  <RelativeTime at={occurrence.firedAt} />
                </td>
                <td>
                  <Badge tone={outcomeTone(occurrence.outcome)}>{outcomeLabel(occurrence.outcome)}</Badge>
                  {occurrence.error ? <span className="occurrence-error"> {occurrence.error}</span> : null}
                </td>
                <td>
                  {occurrence.runId ? (
                    <Link href={flowsUrl({ flow: flow.name, run: occurrence.runId })}>
                      <code>{occurrence.runId.slice(0, 8)}</code>
                    </Link>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasMore ? (
        <button
          type="button"
          className="button button-small load-more"
          disabled={loadingMore}
          onClick={onLoadMore}
        >
          {loadingMore ? 'Loading…' : 'Older occurrences'}
        </button>
      ) : null}
    </>
  );
}

/** For admins: the schedule's entries in the audit trail. */
function ChangeHistoryLink({ flowName, scheduleId }: { flowName: string; scheduleId: string }) {
  const admin = usePermission('admin');
  if (!admin.allowed) return null;
  return (
    <div>
      <dt>Changes</dt>
      <dd>
        <Link href={auditUrl({ flow: flowName, schedule: scheduleId })}>Change history</Link>
      </dd>
    </div>
  );
}
