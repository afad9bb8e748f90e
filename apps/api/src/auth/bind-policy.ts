import { isIP } from 'node:net';

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * Without tokens the API is open to whoever can reach it, so it may listen on loopback
 * only. The message for the other case says what to set.
 */
export function bindingProblem(host: string, tokensRequired: boolean): string | null {
  if (tokensRequired || isLoopback(host)) return null;
  return [
    `refusing to listen on ${host} without API tokens: anyone who can reach it could start runs and change schedules.`,
    'Set FLOWDECK_TOKENS=name:scope:token[,...] (scope read, operate or admin; tokens of 16+ characters)',
    'or FLOWDECK_TOKENS_FILE=<file of name:scope:token lines>, or listen on HOST=127.0.0.1.',
  ].join(' ');
}

/**
 * CORS lets pages of other origins read the API's answers. Without tokens that would be any
 * page the operator opens (with `*`) reading the audit trail, starting runs and deleting
 * schedules, so CORS needs tokens, as a non-loopback HOST does.
 */
export function corsProblem(corsOrigins: readonly string[], tokensRequired: boolean): string | null {
  if (tokensRequired || corsOrigins.length === 0) return null;
  return [
    `refusing to allow cross-origin calls (FLOWDECK_CORS_ORIGINS=${corsOrigins.join(',')}) without API tokens: pages of those origins could start runs and change schedules.`,
    'Set FLOWDECK_TOKENS=name:scope:token[,...] or FLOWDECK_TOKENS_FILE, or leave FLOWDECK_CORS_ORIGINS unset.',
  ].join(' ');
}
