import type { Flow } from '@flowdeck/types';
import { useFormContext } from 'react-hook-form';
import { JsonEditor } from '../../../components/ui/json-editor/JsonEditor.tsx';
import type { ScheduleFormValues } from '../schedule-form.ts';
import { useFieldError } from './fields.tsx';

/** The flow input as JSON in Monaco, checked against the flow's input schema. */
export function InputField({
  flow,
  problems,
  onProblemsChange,
}: {
  flow: Flow;
  problems: string[];
  onProblemsChange: (problems: string[]) => void;
}) {
  const { getValues, setValue } = useFormContext<ScheduleFormValues>();
  const error = useFieldError('input');
  return (
    <div className="field">
      <span className="field-label" id="schedule-input-label">
        Input
      </span>
      <JsonEditor
        label="Input"
        defaultValue={getValues('input')}
        jsonSchema={flow.inputSchema}
        onChange={(text) => setValue('input', text, { shouldValidate: true, shouldDirty: true })}
        onProblemsChange={onProblemsChange}
        height={150}
      />
      <InputProblems problems={error ? [error, ...problems] : problems} schema={flow.inputSchema !== null} />
    </div>
  );
}

export function InputProblems({ problems, schema }: { problems: string[]; schema: boolean }) {
  if (problems.length === 0) {
    return (
      <p className="field-hint">
        JSON{schema ? ", checked against the flow's input schema (Ctrl+Space completes)" : ''}. Tab leaves the
        editor.
      </p>
    );
  }
  return (
    <ul className="field-error input-problems">
      {Array.from(new Set(problems)).map((problem) => (
        <li key={problem}>{problem}</li>
      ))}
    </ul>
  );
}
