import { useQueryClient } from '@tanstack/react-query';
import { useAccess } from '../access.tsx';
import { signOut } from '../sign-out.ts';
import '../auth.css';

/** Who is signed in and what they may do, with a way out; nothing on an API without tokens. */
export function UserMenu() {
  const { authRequired, name, scopes } = useAccess();
  const queryClient = useQueryClient();
  if (!authRequired) return null;
  return (
    <section className="user-menu" aria-label="Signed in">
      <span>
        Signed in as <strong>{name}</strong>
      </span>
      <span className="muted">scopes: {scopes.join(', ')}</span>
      <button type="button" className="button button-small" onClick={() => signOut(queryClient)}>
        Sign out
      </button>
    </section>
  );
}
