import { FlowdeckApiError } from '@flowdeck/client';

/**
 * A failed request shown inside the form that sent it: the server's `detail`, and the field
 * errors the detail does not already mention.
 */
export function ProblemAlert({ title, error }: { title: string; error: Error }) {
  const fields =
    error instanceof FlowdeckApiError
      ? error.fieldErrors.filter((field) => !error.message.includes(field.message))
      : [];
  return (
    <div role="alert" className="form-error">
      <strong>{title}</strong>
      <p>{error.message}</p>
      {fields.length > 0 ? (
        <ul>
          {fields.map((field) => (
            <li key={`${field.path}:${field.message}`}>
              <code>{field.path}</code>: {field.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
