import type { CreateScheduleRequest, SchedulePreview } from '@flowdeck/types';
import { createContext, useContext } from 'react';
import { useFormContext } from 'react-hook-form';
import { errorMessage } from '../../../api/client.ts';
import { ExactTime, RelativeTime } from '../../../components/ui/RelativeTime.tsx';
import { formatDateTime, formatDuration } from '../../../lib/time.ts';
import { useNow } from '../../../lib/use-now.ts';
import { useSchedulePreview } from '../hooks/useSchedulePreview.ts';
import { previewSpec, type ScheduleFormValues } from '../schedule-form.ts';
import '../schedules.css';

/** The flow whose schedule the surrounding form edits; the preview endpoint is per flow. */
export const PreviewFlowContext = createContext<string>('');

/** The server's preview of what the form currently says, shared by the fields and the panel. */
export function useFormPreview() {
  const flowName = useContext(PreviewFlowContext);
  const { watch } = useFormContext<ScheduleFormValues>();
  const values = watch();
  const spec = previewSpec(values);
  const query = useSchedulePreview(flowName, spec);
  return { ...query, spec, errorText: query.isError ? errorMessage(query.error) : null };
}

/**
 * When the schedule would run, in the operator's zone (named), with the schedule's zone beside
 * it where it differs, and the server's warnings. A one-time schedule is worked out here from
 * the clock, so "5 minutes after you save" stays right while the dialog is open.
 */
export function SchedulePreviewPanel() {
  const preview = useFormPreview();
  const spec = preview.spec;
  return (
    <section className="preview" aria-label="Preview" aria-live="polite" aria-busy={preview.isFetching}>
      {spec === null ? (
        <p className="muted">Complete the fields above to see when it runs.</p>
      ) : preview.isError ? (
        <p className="muted">No preview: fix the schedule above.</p>
      ) : spec.delay !== undefined || spec.at !== undefined ? (
        <OncePreview spec={spec} />
      ) : preview.data ? (
        <RecurringPreview preview={preview.data} timeZone={spec.tz} />
      ) : (
        <p className="muted">Computing the next runs…</p>
      )}
      {preview.data && !preview.isError ? <Warnings warnings={preview.data.warnings} /> : null}
    </section>
  );
}

function OncePreview({ spec }: { spec: CreateScheduleRequest }) {
  const now = useNow();
  const at = spec.delay !== undefined ? now + spec.delay : Date.parse(spec.at ?? '');
  return (
    <>
      {/* The time moves with the clock: not re-announced every second. */}
      <p className="preview-description" aria-live="off">
        Once at <time dateTime={new Date(at).toISOString()}>{formatDateTime(at)}</time>
      </p>
      <p className="preview-caption" aria-live="off">
        {spec.delay !== undefined ? `${formatDuration(spec.delay)} after you save` : <RelativeTime at={at} />}
      </p>
    </>
  );
}

function RecurringPreview({ preview, timeZone }: { preview: SchedulePreview; timeZone: string | undefined }) {
  return (
    <>
      <p className="preview-description">{preview.description}</p>
      {preview.nextRuns.length > 0 ? (
        <>
          <p className="preview-caption">Next runs</p>
          <ol className="preview-runs" aria-label="Next runs">
            {preview.nextRuns.map((at) => (
              <li key={at}>
                <ExactTime at={at} timeZone={timeZone} />
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p className="muted">It will not fire again.</p>
      )}
    </>
  );
}

function Warnings({ warnings }: { warnings: string[] }) {
  if (warnings.length === 0) return null;
  return (
    <ul className="preview-warnings">
      {warnings.map((warning) => (
        <li key={warning}>⚠ {warning}</li>
      ))}
    </ul>
  );
}
