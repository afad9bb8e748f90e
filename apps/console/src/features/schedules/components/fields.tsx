import { type ReactNode, useId } from 'react';
import { type RegisterOptions, useFormContext } from 'react-hook-form';
import type { ScheduleFormValues } from '../schedule-form.ts';

type FieldName = keyof ScheduleFormValues;

/** The validation message of a field, or of the whole form for `root`. */
export function useFieldError(name: FieldName | 'root'): string | undefined {
  const { formState } = useFormContext<ScheduleFormValues>();
  const error = name === 'root' ? formState.errors.root : formState.errors[name];
  return error?.message;
}

export function FieldMessage({
  name,
  id,
  extra,
}: {
  name: FieldName | 'root';
  id?: string;
  extra?: string | null;
}) {
  const message = useFieldError(name) ?? extra ?? undefined;
  if (!message) return null;
  return (
    <p id={id} className="field-error">
      {message}
    </p>
  );
}

interface FieldProps {
  name: FieldName;
  label: string;
  hint?: ReactNode;
  /** A message from elsewhere (the preview endpoint) shown when the form has none. */
  externalError?: string | null;
  children: (props: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}

/** Label, control, hint and error message, wired together for assistive technology. */
export function Field({ name, label, hint, externalError, children }: FieldProps) {
  const id = useId();
  const error = useFieldError(name) ?? externalError ?? undefined;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy || undefined })}
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function TextField({
  name,
  label,
  hint,
  placeholder,
  type = 'text',
  options,
  readOnly,
  externalError,
  list,
}: {
  name: FieldName;
  label: string;
  hint?: ReactNode;
  placeholder?: string;
  type?: 'text' | 'number' | 'datetime-local';
  options?: RegisterOptions<ScheduleFormValues, FieldName>;
  readOnly?: boolean;
  externalError?: string | null;
  list?: string;
}) {
  const { register } = useFormContext<ScheduleFormValues>();
  return (
    <Field name={name} label={label} hint={hint} externalError={externalError}>
      {(aria) => (
        <input
          {...aria}
          {...register(name, options)}
          type={type}
          placeholder={placeholder}
          readOnly={readOnly}
          list={list}
          autoComplete="off"
          className="input"
        />
      )}
    </Field>
  );
}

export function SelectField({
  name,
  label,
  options,
  hint,
  onValueChange,
}: {
  name: FieldName;
  label: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  hint?: ReactNode;
  onValueChange?: (value: string) => void;
}) {
  const { register } = useFormContext<ScheduleFormValues>();
  const registration = register(name, {
    onChange: (event: { target: { value: string } }) => onValueChange?.(event.target.value),
  });
  return (
    <Field name={name} label={label} hint={hint}>
      {(aria) => (
        <select {...aria} {...registration} className="input">
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
