import type { Flow } from '@flowdeck/types';
import { type FormEvent, useState } from 'react';
import { Dialog } from '../../../components/ui/Dialog.tsx';
import { InputProblems, inputProblems } from '../../../components/ui/json-editor/InputProblems.tsx';
import { JsonEditor } from '../../../components/ui/json-editor/JsonEditor.tsx';
import { ProblemAlert } from '../../../components/ui/ProblemAlert.tsx';
import { useToast } from '../../../components/ui/Toast.tsx';
import { initialInputText, parseJsonText } from '../../../lib/json-schema-example.ts';
import { useStartFlow } from '../hooks/useRuns.ts';

interface StartFlowDialogProps {
  flow: Flow;
  onClose: () => void;
  onStarted: (runId: string) => void;
}

/** Starts one run with input typed as JSON and checked against the flow's input schema. */
export function StartFlowDialog({ flow, onClose, onStarted }: StartFlowDialogProps) {
  const toast = useToast();
  const start = useStartFlow(flow.name);
  const [text, setText] = useState(() => initialInputText(flow.inputSchema));
  const [problems, setProblems] = useState<string[]>([]);
  // One key per dialog and input: submitting the same input twice (a double click, a retry
  // after a timeout) gives the same run; changing the input starts a new one.
  const [dialogId] = useState(newId);
  const keyFor = (input: string) => `console-${dialogId}-${hash(input)}`;
  const parsed = parseJsonText(text);
  const allProblems = inputProblems(text, problems);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!parsed.ok || allProblems.length > 0) return;
    try {
      const response = await start.mutateAsync({ input: parsed.value, idempotencyKey: keyFor(text) });
      toast.success(`Started run ${response.runId.slice(0, 8)}`);
      onStarted(response.runId);
    } catch {
      // Shown below from the mutation's error.
    }
  };

  const serverError = start.error;
  return (
    <Dialog
      title="Start flow"
      onClose={onClose}
      description={
        <>
          Flow <code>{flow.name}</code>
          {flow.live ? null : (
            <strong> — no live worker hosts this flow; the run will wait in the queue.</strong>
          )}
        </>
      }
    >
      <form onSubmit={onSubmit} className="form" noValidate>
        <div className="field">
          <span className="field-label">Input</span>
          <JsonEditor
            label="Input"
            defaultValue={text}
            jsonSchema={flow.inputSchema}
            onChange={setText}
            onProblemsChange={setProblems}
            height={200}
          />
          <InputProblems problems={allProblems} schema={flow.inputSchema !== null} />
        </div>
        {serverError ? <ProblemAlert title="Could not start the flow" error={serverError} /> : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={allProblems.length > 0 || start.isPending}
          >
            {start.isPending ? 'Starting…' : 'Start Flow'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function newId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** A short, stable fingerprint of the input text (FNV-1a). */
function hash(text: string): string {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return (value >>> 0).toString(36);
}
