import type { Flow } from '@flowdeck/types';
import { useId } from 'react';
import '../flows.css';

/** The "Flow" combobox: every published flow with its description; flows with no live worker are marked. */
export function FlowPicker({
  flows,
  value,
  onChange,
}: {
  flows: readonly Flow[];
  value: string | undefined;
  onChange: (flowName: string) => void;
}) {
  const id = useId();
  const known = flows.some((flow) => flow.name === value);
  return (
    <div className="flow-picker">
      <label htmlFor={id}>Flow</label>
      <select
        id={id}
        className="input"
        value={value ?? ''}
        onChange={(event) => onChange(event.target.value)}
      >
        {!known && value ? (
          <option value={value} disabled>
            {value} (unknown)
          </option>
        ) : null}
        {flows.map((flow) => (
          <option key={flow.name} value={flow.name}>
            {flow.name}
            {flow.description ? ` — ${flow.description}` : ''}
            {flow.live ? '' : ' (no live worker)'}
          </option>
        ))}
      </select>
    </div>
  );
}
