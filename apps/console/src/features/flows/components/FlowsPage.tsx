import type { Flow, Schedule } from '@flowdeck/types';
import { type ReactNode, useEffect, useId, useState } from 'react';
import { flowsUrl, navigate } from '../../../app/router.ts';
import { Badge } from '../../../components/ui/Badge.tsx';
import { EmptyState, ErrorState, Loading } from '../../../components/ui/States.tsx';
import { usePermission } from '../../auth/access.tsx';
import { RunsList } from '../../runs/components/RunsList.tsx';
import { RunView } from '../../runs/components/RunView.tsx';
import { StartFlowDialog } from '../../runs/components/StartFlowDialog.tsx';
import { ScheduleDetailDialog } from '../../schedules/components/ScheduleDetailDialog.tsx';
import { ScheduleDialog } from '../../schedules/components/ScheduleDialog.tsx';
import { SchedulesSection } from '../../schedules/components/SchedulesSection.tsx';
import { useFlows } from '../hooks/useFlows.ts';
import { FlowPicker } from './FlowPicker.tsx';
import '../flows.css';

interface FlowsPageProps {
  flow: string | undefined;
  run: string | undefined;
  schedule: string | undefined;
}

/** `/flows`: pick a flow, start or schedule it, watch its runs and manage its schedules. */
export default function FlowsPage({ flow: flowParam, run, schedule }: FlowsPageProps) {
  const flows = useFlows();
  const firstFlow = flows.data?.[0]?.name;

  // With no flow in the URL, the first flow is selected, and the URL says so.
  useEffect(() => {
    if (!flowParam && firstFlow) navigate(flowsUrl({ flow: firstFlow }), { replace: true });
  }, [flowParam, firstFlow]);

  if (flows.isPending) return <Loading label="Loading flows…" />;
  if (flows.isError) {
    return <ErrorState title="Could not load flows" error={flows.error} onRetry={() => flows.refetch()} />;
  }
  if (flows.data.length === 0) {
    return (
      <EmptyState title="No flows yet.">
        <p className="muted">Start a worker that hosts flows; they appear here within seconds.</p>
      </EmptyState>
    );
  }

  const selectedName = flowParam ?? firstFlow;
  const selected = flows.data.find((item) => item.name === selectedName);
  const selectFlow = (name: string) => navigate(flowsUrl({ flow: name }));

  const picker = <FlowPicker flows={flows.data} value={selectedName} onChange={selectFlow} />;

  if (!selected) {
    return (
      <div className="flows-page">
        <div className="flow-bar">{picker}</div>
        <div role="alert" className="state state-error">
          No flow named <code>{selectedName}</code>: no worker publishes it. Choose another flow.
        </div>
      </div>
    );
  }
  return <FlowWorkspace key={selected.name} flow={selected} picker={picker} run={run} schedule={schedule} />;
}

type OpenDialog = { kind: 'start' } | { kind: 'schedule' } | { kind: 'edit'; schedule: Schedule } | null;

interface FlowWorkspaceProps {
  flow: Flow;
  picker: ReactNode;
  run: string | undefined;
  schedule: string | undefined;
}

/** Keyed by flow name, so switching flows resets dialogs and never shows the old flow's data. */
function FlowWorkspace({ flow, picker, run, schedule }: FlowWorkspaceProps) {
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const operate = usePermission('operate');
  const noteId = useId();
  const blocked = operate.allowed
    ? {}
    : { disabled: true, title: operate.reason, 'aria-describedby': noteId };
  const close = () => setDialog(null);
  const openSchedule = () => setDialog({ kind: 'schedule' });

  return (
    <div className="flows-page">
      <div className="flow-bar">
        {picker}
        <fieldset className="flow-actions">
          <legend className="visually-hidden">Flow actions</legend>
          <button
            type="button"
            className="button button-primary"
            onClick={() => setDialog({ kind: 'start' })}
            {...blocked}
          >
            Start
          </button>
          <button type="button" className="button" onClick={openSchedule} {...blocked}>
            Schedule
          </button>
        </fieldset>
      </div>
      {operate.allowed ? null : (
        <p className="muted read-only-note" id={noteId}>
          Read-only: {operate.reason}
        </p>
      )}
      <FlowSummary flow={flow} />
      <div className={`flows-layout${run ? ' with-run' : ''}`}>
        <div className="flows-main">
          <RunsList flowName={flow.name} selectedRunId={run} />
          <SchedulesSection
            flow={flow}
            onCreate={openSchedule}
            onEdit={(item) => setDialog({ kind: 'edit', schedule: item })}
            onOpen={(item) => navigate(flowsUrl({ flow: flow.name, run, schedule: item.id }))}
          />
        </div>
        {run ? (
          <aside className="run-panel">
            <RunView
              key={run}
              flowName={flow.name}
              runId={run}
              variant="panel"
              onClose={() => navigate(flowsUrl({ flow: flow.name }))}
            />
          </aside>
        ) : null}
      </div>
      {dialog?.kind === 'start' ? (
        <StartFlowDialog
          flow={flow}
          onClose={close}
          onStarted={(runId) => {
            close();
            navigate(flowsUrl({ flow: flow.name, run: runId }));
          }}
        />
      ) : null}
      {dialog?.kind === 'schedule' ? <ScheduleDialog flow={flow} onClose={close} /> : null}
      {dialog?.kind === 'edit' ? (
        <ScheduleDialog flow={flow} schedule={dialog.schedule} onClose={close} />
      ) : null}
      {schedule ? (
        <ScheduleDetailDialog
          flow={flow}
          scheduleId={schedule}
          onClose={() => navigate(flowsUrl({ flow: flow.name, run }))}
        />
      ) : null}
    </div>
  );
}

function FlowSummary({ flow }: { flow: Flow }) {
  const workers = flow.workers.filter((worker) => worker.live).length;
  return (
    <div className="flow-summary">
      <p>{flow.description || <span className="muted">No description.</span>}</p>
      <p className="muted">
        {flow.steps.length} steps · entry {flow.entrySteps.join(', ')} ·{' '}
        {flow.live ? (
          <Badge tone="success">{`${workers} live worker${workers === 1 ? '' : 's'}`}</Badge>
        ) : (
          <Badge tone="danger">no live worker</Badge>
        )}
      </p>
    </div>
  );
}
