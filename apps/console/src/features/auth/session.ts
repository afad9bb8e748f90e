/**
 * The sign-in token, kept for this browser tab only (sessionStorage): closing the tab signs
 * out, and other tabs sign in on their own. The API client reads it before every call.
 */
const KEY = 'flowdeck.token';

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
  },
  signOut() {
    window.sessionStorage.removeItem(KEY);
  },
};
