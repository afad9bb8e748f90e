import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api, errorMessage } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';
import { session } from '../session.ts';
import '../auth.css';

/** Asks for a token when the API requires one; it is checked before it is kept. */
export function SignInPage({ expired }: { expired: boolean }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    session.signIn(token.trim());
    try {
      const whoami = await api.auth.whoami();
      if (whoami.tokenError) {
        session.signOut();
        setError('That token is not valid. Check it, or ask an admin for a new one.');
      } else {
        queryClient.setQueryData(queryKeys.whoami, whoami);
      }
    } catch (cause) {
      session.signOut();
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="sign-in">
      <form className="panel sign-in-form" onSubmit={submit} aria-labelledby={`${inputId}-title`}>
        <h1 id={`${inputId}-title`}>Sign in to Flowdeck</h1>
        <p className="muted">
          {expired
            ? 'Your token is no longer accepted. Sign in again.'
            : 'This Flowdeck needs an API token. It is kept for this tab only.'}
        </p>
        <div className="field">
          <label htmlFor={inputId}>API token</label>
          <input
            id={inputId}
            className="input"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
            required
          />
        </div>
        {error ? (
          <p role="alert" className="form-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button button-primary" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
      </form>
    </div>
  );
}
