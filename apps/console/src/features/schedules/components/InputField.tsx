import type { Flow } from '@flowdeck/types';
import { useFormContext } from 'react-hook-form';
import { InputProblems, inputProblems } from '../../../components/ui/json-editor/InputProblems.tsx';
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
  /** The editor's own problems (schema violations), as it reports them. */
  problems: string[];
  onProblemsChange: (problems: string[]) => void;
}) {
  const { getValues, setValue, watch } = useFormContext<ScheduleFormValues>();
  const error = useFieldError('input');
  const text = watch('input');
  return (
    <div className="field">
      <span className="field-label" id="schedule-input-label">
        Input
      </span>
      <JsonEditor
        label="Input"
        defaultValue={getValues('input')}
        jsonSchema={flow.inputSchema}
        onChange={(next) => setValue('input', next, { shouldValidate: true, shouldDirty: true })}
        onProblemsChange={onProblemsChange}
        height={150}
      />
      <InputProblems
        problems={inputProblems(text, problems, error ? [error] : [])}
        schema={flow.inputSchema !== null}
      />
    </div>
  );
}
