import { useFormContext } from 'react-hook-form';
import { Disclosure } from '../../../components/ui/Disclosure.tsx';
import type { ScheduleFormValues } from '../schedule-form.ts';
import { SelectField, TextField } from './fields.tsx';
import '../schedules.css';

const OVERLAP_OPTIONS = [
  { value: 'allow', label: 'Allow: start a run even if the last one is still going' },
  { value: 'skip', label: 'Skip: record a skip while the last run is still going' },
];

/** Overlap policy, catch-up window, active period and run limit; collapsed unless set. */
export function AdvancedFields() {
  const { getValues } = useFormContext<ScheduleFormValues>();
  const hasAdvancedValues = () => {
    const values = getValues();
    return Boolean(
      values.overlap !== 'allow' ||
        values.catchupWindowSeconds ||
        values.startDate ||
        values.endDate ||
        values.limit,
    );
  };
  return (
    <div className="advanced">
      <Disclosure label="Advanced" defaultOpen={hasAdvancedValues} regionClassName="advanced-fields">
        <SelectField name="overlap" label="Overlap policy" options={OVERLAP_OPTIONS} />
        <TextField
          name="catchupWindowSeconds"
          label="Catch-up window (seconds)"
          type="number"
          hint="A fire picked up later than this (e.g. no worker was up) is recorded as missed. Empty: always start."
        />
        <TextField name="startDate" label="Start date" type="datetime-local" hint="No runs before this" />
        <TextField name="endDate" label="End date" type="datetime-local" hint="No runs after this" />
        <TextField
          name="limit"
          label="Max runs"
          type="number"
          hint="Stop after this many runs. Empty: no limit."
        />
      </Disclosure>
    </div>
  );
}
