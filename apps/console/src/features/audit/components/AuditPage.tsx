import type { AuditEntry } from '@flowdeck/types';
import { auditUrl, flowsUrl } from '../../../app/router.ts';
import { Badge } from '../../../components/ui/Badge.tsx';
import { JsonView } from '../../../components/ui/JsonView.tsx';
import { Link } from '../../../components/ui/Link.tsx';
import { RelativeTime } from '../../../components/ui/RelativeTime.tsx';
import { EmptyState, ErrorState, Loading } from '../../../components/ui/States.tsx';
import { formatDateTime } from '../../../lib/time.ts';
import { usePermission } from '../../auth/access.tsx';
import { changedFields } from '../changes.ts';
import { useAudit } from '../hooks/useAudit.ts';
import '../audit.css';

interface AuditPageProps {
  flow: string | undefined;
  schedule: string | undefined;
}

/** `/audit`: who started runs and changed schedules, when, and what changed; admins only. */
export default function AuditPage({ flow, schedule }: AuditPageProps) {
  const permission = usePermission('admin');
  if (!permission.allowed) {
    return (
      <EmptyState title="The audit trail is for admins">
        <p className="muted">{permission.reason}</p>
      </EmptyState>
    );
  }
  return <AuditTrail flow={flow} schedule={schedule} />;
}

function AuditTrail({ flow, schedule }: AuditPageProps) {
  const audit = useAudit(flow, schedule);
  const scope = schedule ? `schedule ${schedule} of ${flow}` : flow ? `flow ${flow}` : 'all flows';
  return (
    <section className="panel audit" aria-labelledby="audit-heading">
      <h1 className="panel-heading" id="audit-heading">
        Audit trail
      </h1>
      <div className="panel-body">
        <p className="muted audit-scope">
          Who started runs and changed schedules, newest first: {scope}.{' '}
          {flow ? <Link href={auditUrl()}>Show all flows</Link> : null}
        </p>
        {audit.isPending ? (
          <Loading label="Loading the audit trail…" />
        ) : audit.isError ? (
          <ErrorState
            title="Could not load the audit trail"
            error={audit.error}
            onRetry={() => audit.refetch()}
          />
        ) : audit.data.items.length === 0 ? (
          <EmptyState title="Nothing recorded yet">
            <p className="muted">Starting a run or changing a schedule adds an entry here.</p>
          </EmptyState>
        ) : (
          <ol className="audit-list" aria-label="Audit entries">
            {audit.data.items.map((entry) => (
              <AuditItem key={entry.id} entry={entry} />
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}

function AuditItem({ entry }: { entry: AuditEntry }) {
  const changes = changedFields(entry.before, entry.after);
  return (
    <li className="audit-item">
      <div className="audit-line">
        <Badge tone={entry.action === 'access.denied' ? 'danger' : 'muted'}>{entry.action}</Badge>
        <strong>{entry.actor}</strong>
        {/* A refused request names a flow only when its path did. */}
        {entry.flowName ? (
          <Link href={flowsUrl({ flow: entry.flowName, run: entry.runId })}>{entry.flowName}</Link>
        ) : null}
        {entry.scheduleId && entry.flowName ? (
          <Link href={auditUrl({ flow: entry.flowName, schedule: entry.scheduleId })}>
            schedule {entry.scheduleId}
          </Link>
        ) : null}
        {entry.runId ? <code>run {entry.runId.slice(0, 12)}</code> : null}
        <span className="muted" title={formatDateTime(entry.at)}>
          <RelativeTime at={entry.at} />
        </span>
      </div>
      {changes.length > 0 ? (
        <table className="audit-changes">
          <caption className="visually-hidden">Changed fields</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((change) => (
              <tr key={change.field}>
                <th scope="row">{change.field}</th>
                <td>
                  <code>{JSON.stringify(change.from) ?? '—'}</code>
                </td>
                <td>
                  <code>{JSON.stringify(change.to) ?? '—'}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : entry.after !== undefined || entry.before !== undefined ? (
        <details>
          <summary className="muted">{entry.after !== undefined ? 'Details' : 'As it was'}</summary>
          <JsonView value={entry.after ?? entry.before} label="Entry details" />
        </details>
      ) : null}
      {entry.requestId ? <p className="muted audit-request">request {entry.requestId}</p> : null}
    </li>
  );
}
