import type { ReactNode } from 'react';
import { errorMessage } from '../../api/client.ts';
import './States.css';

/** What every data-backed region shows while loading, on error and when empty. */
export function Loading({ label }: { label: string }) {
  return (
    <p role="status" className="state state-loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function ErrorState({
  title,
  error,
  onRetry,
}: {
  title: string;
  error: unknown;
  onRetry?: () => void;
}) {
  return (
    <div role="alert" className="state state-error">
      <strong>{title}</strong>
      <span>{errorMessage(error)}</span>
      {onRetry ? (
        <button type="button" className="button button-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p>{title}</p>
      {children}
    </div>
  );
}
