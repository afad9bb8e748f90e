import type { Run } from '@flowdeck/types';
import { type FormEvent, useState } from 'react';
import { Dialog } from '../../../components/ui/Dialog.tsx';
import { InputProblems, inputProblems } from '../../../components/ui/json-editor/InputProblems.tsx';
import { JsonEditor } from '../../../components/ui/json-editor/JsonEditor.tsx';
import { ProblemAlert } from '../../../components/ui/ProblemAlert.tsx';
import { initialInputText, parseJsonText } from '../../../lib/json-schema-example.ts';
import { useFlow } from '../../flows/hooks/useFlows.ts';

interface ReplayDialogProps {
  run: Run;
  busy: boolean;
  error: Error | null;
  /** `undefined` replays with the run's own input: the text was left as it was. */
  onReplay: (input: unknown) => void;
  onDismiss: () => void;
}

/**
 * Starts a new run of the flow with this run's input, edited as JSON first if need be and
 * checked against the flow's input schema, as the Start dialog does.
 */
export function ReplayDialog({ run, busy, error, onReplay, onDismiss }: ReplayDialogProps) {
  const { flow } = useFlow(run.flowName);
  const schema = flow?.inputSchema ?? null;
  const [original] = useState(() => initialInputText(schema, run.input));
  const [text, setText] = useState(original);
  const [problems, setProblems] = useState<string[]>([]);
  const parsed = parseJsonText(text);
  const allProblems = inputProblems(text, problems);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!parsed.ok || allProblems.length > 0) return;
    onReplay(text === original ? undefined : parsed.value);
  };

  return (
    <Dialog
      title="Replay run"
      onClose={onDismiss}
      description={
        <>
          A new run of <code>{run.flowName}</code> with the input below; run <code>{run.id.slice(0, 8)}</code>{' '}
          stays as it is and links to it.
          {flow && !flow.live ? (
            <strong> No live worker hosts this flow; the run will wait in the queue.</strong>
          ) : null}
        </>
      }
    >
      <form onSubmit={onSubmit} className="form" noValidate>
        <div className="field">
          <span className="field-label">Input</span>
          <JsonEditor
            label="Input"
            defaultValue={original}
            jsonSchema={schema}
            onChange={setText}
            onProblemsChange={setProblems}
            height={200}
          />
          <InputProblems problems={allProblems} schema={schema !== null} />
        </div>
        {error ? <ProblemAlert title="Could not replay the run" error={error} /> : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onDismiss}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={allProblems.length > 0 || busy}>
            {busy ? 'Replaying…' : 'Replay run'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
