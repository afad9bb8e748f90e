/**
 * The sign-in token, kept for this browser tab only (sessionStorage): closing the tab signs
 * out, and other tabs sign in on their own. The API client reads it before every call.
 */
const KEY = 'flowdeck.token';
/** Set when the API stopped accepting the token, so the sign-in page can say why it is back. */
const EXPIRED_KEY = 'flowdeck.token-expired';

export const session = {
  token(): string | null {
    try {
      return window.sessionStorage.getItem(KEY);
    } catch {
      return null;
    }
  },
  signIn(token: string) {
    window.sessionStorage.setItem(KEY, token);
    window.sessionStorage.removeItem(EXPIRED_KEY);
  },
  signOut({ expired = false }: { expired?: boolean } = {}) {
    window.sessionStorage.removeItem(KEY);
    if (expired) window.sessionStorage.setItem(EXPIRED_KEY, '1');
    else window.sessionStorage.removeItem(EXPIRED_KEY);
  },
  /** Whether the last sign-out happened because the API refused the token. */
  expired(): boolean {
    try {
      return window.sessionStorage.getItem(EXPIRED_KEY) !== null;
    } catch {
      return false;
    }
  },
};
