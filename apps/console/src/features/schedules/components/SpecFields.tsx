import { useMemo } from 'react';
import { useFormContext } from 'react-hook-form';
import { BROWSER_TIME_ZONE, timeZones } from '../../../lib/time.ts';
import { CRON_PRESETS, CUSTOM_PRESET, type ScheduleFormValues, TIME_UNITS } from '../schedule-form.ts';
import { SelectField, TextField } from './fields.tsx';
import { useFormPreview } from './SchedulePreviewPanel.tsx';

const PRESET_OPTIONS = [
  ...CRON_PRESETS.map((preset) => ({ value: preset.pattern, label: preset.label })),
  { value: CUSTOM_PRESET, label: 'Custom' },
];
const UNIT_OPTIONS = TIME_UNITS.map((unit) => ({ value: unit, label: unit }));

/** The preview endpoint's complaint about the spec, shown under the field it concerns. */
function usePreviewError(): string | null {
  const preview = useFormPreview();
  return preview.isError ? preview.errorText : null;
}

export function CronFields() {
  const { setValue, watch } = useFormContext<ScheduleFormValues>();
  const preset = watch('preset');
  const zones = useMemo(() => timeZones(), []);
  const previewError = usePreviewError();
  return (
    <div className="field-row">
      <SelectField
        name="preset"
        label="Preset"
        options={PRESET_OPTIONS}
        onValueChange={(value) => {
          if (value !== CUSTOM_PRESET) setValue('cron', value, { shouldValidate: true });
        }}
      />
      <TextField
        name="cron"
        label="Cron expression"
        readOnly={preset !== CUSTOM_PRESET}
        hint={
          preset === CUSTOM_PRESET
            ? '5 fields (minute hour day month weekday), or 6 with seconds first'
            : 'Choose Custom to write your own pattern'
        }
        externalError={previewError}
      />
      <TextField
        name="tz"
        label="Timezone"
        list="flowdeck-time-zones"
        hint={`IANA zone; yours is ${BROWSER_TIME_ZONE}`}
      />
      <datalist id="flowdeck-time-zones">
        {zones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </div>
  );
}

export function IntervalFields() {
  const previewError = usePreviewError();
  return (
    <div className="field-row">
      <TextField
        name="everyAmount"
        label="Every"
        type="number"
        options={{ valueAsNumber: true }}
        externalError={previewError}
      />
      <SelectField name="everyUnit" label="Unit" options={UNIT_OPTIONS} />
    </div>
  );
}

export function DelayFields() {
  const previewError = usePreviewError();
  return (
    <div className="field-row">
      <TextField
        name="delayAmount"
        label="Delay"
        type="number"
        options={{ valueAsNumber: true }}
        externalError={previewError}
        hint="Runs once, this long after you save"
      />
      <SelectField name="delayUnit" label="Unit" options={UNIT_OPTIONS} />
    </div>
  );
}

export function AtFields() {
  const previewError = usePreviewError();
  return (
    <div className="field-row">
      <TextField
        name="at"
        label="Run at"
        type="datetime-local"
        hint={`Runs once, at this time in your zone (${BROWSER_TIME_ZONE})`}
        externalError={previewError}
      />
    </div>
  );
}
