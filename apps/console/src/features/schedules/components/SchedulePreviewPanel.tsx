import { createContext, useContext } from 'react';
import { useFormContext } from 'react-hook-form';
import { errorMessage } from '../../../api/client.ts';
import { formatDateTime, formatUtc } from '../../../lib/time.ts';
import { useSchedulePreview } from '../hooks/useSchedulePreview.ts';
import { previewSpec, type ScheduleFormValues } from '../schedule-form.ts';

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

/** Plain English, the next five fire times in the schedule's zone, and warnings. */
export function SchedulePreviewPanel() {
  const preview = useFormPreview();
  const { watch } = useFormContext<ScheduleFormValues>();
  const kind = watch('kind');
  const tz = kind === 'cron' ? watch('tz') || 'UTC' : undefined;
  const zone = tz && isZone(tz) ? tz : undefined;

  return (
    <section className="preview" aria-label="Preview" aria-live="polite" aria-busy={preview.isFetching}>
      {preview.spec === null ? (
        <p className="muted">Complete the fields above to see when it runs.</p>
      ) : preview.isError ? (
        <p className="muted">No preview: fix the schedule above.</p>
      ) : preview.data ? (
        <>
          <p className="preview-description">{preview.data.description}</p>
          {preview.data.nextRuns.length > 0 ? (
            <>
              <p className="preview-caption">Next runs{zone ? ` (${zone})` : ' (your time)'}</p>
              <ol className="preview-runs">
                {preview.data.nextRuns.map((at) => (
                  <li key={at}>
                    <time dateTime={new Date(at).toISOString()} title={formatUtc(at)}>
                      {formatDateTime(at, zone)}
                    </time>
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <p className="muted">It will not fire again.</p>
          )}
          {preview.data.warnings.length > 0 ? (
            <ul className="preview-warnings">
              {preview.data.warnings.map((warning) => (
                <li key={warning}>⚠ {warning}</li>
              ))}
            </ul>
          ) : null}
        </>
      ) : (
        <p className="muted">Computing the next runs…</p>
      )}
    </section>
  );
}

function isZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
