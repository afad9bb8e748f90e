import { FlowdeckApiError } from '@flowdeck/client';
import type { Flow, Schedule } from '@flowdeck/types';
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import { Dialog } from '../../../components/ui/Dialog.tsx';
import { ProblemAlert } from '../../../components/ui/ProblemAlert.tsx';
import { Tabs } from '../../../components/ui/Tabs.tsx';
import { useToast } from '../../../components/ui/Toast.tsx';
import { useScheduleActions } from '../hooks/useSchedules.ts';
import {
  defaultFormValues,
  formFieldForServerError,
  SCHEDULE_KINDS,
  type ScheduleFormKind,
  ScheduleFormSchema,
  type ScheduleFormValues,
  toCreateRequest,
  toUpdateRequest,
} from '../schedule-form.ts';
import { AdvancedFields } from './AdvancedFields.tsx';
import { FieldMessage, TextField } from './fields.tsx';
import { InputField } from './InputField.tsx';
import { PreviewFlowContext, SchedulePreviewPanel } from './SchedulePreviewPanel.tsx';
import { AtFields, CronFields, DelayFields, IntervalFields } from './SpecFields.tsx';

interface ScheduleDialogProps {
  flow: Flow;
  /** The schedule to edit; without it the dialog creates a new one. */
  schedule?: Schedule;
  onClose: () => void;
}

/** "Schedule flow" and "Edit schedule": one form, the shared schema as its validator. */
export function ScheduleDialog({ flow, schedule, onClose }: ScheduleDialogProps) {
  const editing = schedule !== undefined;
  return (
    <Dialog
      title={editing ? 'Edit schedule' : 'Schedule flow'}
      size="large"
      onClose={onClose}
      description={
        <>
          Flow <code>{flow.name}</code>
          {editing ? (
            <>
              {' '}
              · schedule <code>{schedule.id}</code>
            </>
          ) : null}
        </>
      }
    >
      <ScheduleForm flow={flow} schedule={schedule} onDone={onClose} />
    </Dialog>
  );
}

function ScheduleForm({ flow, schedule, onDone }: { flow: Flow; schedule?: Schedule; onDone: () => void }) {
  const toast = useToast();
  const actions = useScheduleActions(flow.name);
  const form = useForm<ScheduleFormValues>({
    resolver: zodResolver(ScheduleFormSchema),
    mode: 'onChange',
    defaultValues: defaultFormValues(flow, schedule),
  });
  const [editorProblems, setEditorProblems] = useState<string[]>([]);
  const [serverError, setServerError] = useState<FlowdeckApiError | Error | null>(null);
  const kind = form.watch('kind');
  const mutation = schedule ? actions.update : actions.create;

  const onSubmit = form.handleSubmit(async (values) => {
    setServerError(null);
    try {
      if (schedule) {
        await actions.update.mutateAsync({
          id: schedule.id,
          body: toUpdateRequest(values),
          version: schedule.version,
        });
        toast.success('Schedule updated');
      } else {
        const created = await actions.create.mutateAsync(toCreateRequest(values));
        toast.success(`Schedule created: ${created.metadata.description || created.id}`);
      }
      onDone();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      setServerError(failure);
      if (failure instanceof FlowdeckApiError) {
        for (const fieldError of failure.fieldErrors) {
          const field = formFieldForServerError(fieldError);
          if (field !== 'root') form.setError(field, { type: 'server', message: fieldError.message });
        }
      }
    }
  });

  const { isValid, isSubmitting } = form.formState;
  const blocked = !isValid || editorProblems.length > 0 || isSubmitting || mutation.isPending;

  return (
    <FormProvider {...form}>
      <PreviewFlowContext.Provider value={flow.name}>
        <form onSubmit={onSubmit} noValidate className="form">
          <Tabs<ScheduleFormKind>
            label="Schedule type"
            panelLabel="When it runs"
            tabs={SCHEDULE_KINDS}
            value={kind}
            onChange={(next) => form.setValue('kind', next, { shouldValidate: true })}
          >
            {kind === 'cron' ? <CronFields /> : null}
            {kind === 'every' ? <IntervalFields /> : null}
            {kind === 'delay' ? <DelayFields /> : null}
            {kind === 'at' ? <AtFields /> : null}
          </Tabs>
          <SchedulePreviewPanel />
          <InputField flow={flow} onProblemsChange={setEditorProblems} problems={editorProblems} />
          <TextField name="description" label="Description" placeholder="What this schedule is for" />
          <TextField name="tags" label="Tags" placeholder="nightly, billing" hint="Comma-separated" />
          <AdvancedFields />
          <FieldMessage name="root" />
          {serverError ? (
            <ProblemAlert
              title={
                serverError instanceof FlowdeckApiError
                  ? 'The server refused this schedule'
                  : 'Could not save'
              }
              error={serverError}
            />
          ) : null}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onDone}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={blocked}>
              {schedule ? 'Save changes' : 'Schedule Flow'}
            </button>
          </div>
        </form>
      </PreviewFlowContext.Provider>
    </FormProvider>
  );
}
