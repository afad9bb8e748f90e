import type { Request, RequestHandler, Response } from 'express';
import { isLoopback } from '../auth/bind-policy.ts';
import { sendProblem } from '../problem.ts';

/**
 * DNS rebinding: a page on `evil.example` can point its own name at 127.0.0.1 and then call an
 * API that needs no token as if it were its own origin. The browser still sends
 * `Host: evil.example`, so such an API answers only loopback names and the names in
 * FLOWDECK_ALLOWED_HOSTS, as Vite and Jupyter do. With tokens the check is off unless
 * FLOWDECK_ALLOWED_HOSTS is set: a rebinding page has no token to send.
 */

/** The name in a Host header, without port or IPv6 brackets, lower case. */
export function hostnameOf(header: string): string {
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(header.trim());
  return (match?.[1] ?? header)
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** `allowed` holds names, or `.example.org` for that name and every name under it. */
export function isAllowedHost(name: string, allowed: readonly string[]): boolean {
  if (isLoopback(name) || name.endsWith('.localhost')) return true;
  return allowed.some((entry) =>
    entry.startsWith('.') ? name === entry.slice(1) || name.endsWith(entry) : name === entry,
  );
}

/** `onRefused` runs for each refused request (to record it), after the 403 is sent. */
export function hostCheck(
  allowed: readonly string[],
  tokensRequired: boolean,
  onRefused: (req: Request, res: Response) => void,
): RequestHandler {
  if (tokensRequired && allowed.length === 0) return (_req, _res, next) => next();
  return (req, res, next) => {
    // The header as sent, not `req.hostname`: behind TRUST_PROXY that would be X-Forwarded-Host.
    const name = hostnameOf(req.headers.host ?? '');
    if (isAllowedHost(name, allowed)) return next();
    const shown = name.slice(0, 100) || '(none)';
    sendProblem(res, {
      status: 403,
      code: 'host_not_allowed',
      detail: tokensRequired
        ? `the host name '${shown}' is not in FLOWDECK_ALLOWED_HOSTS; add it there to serve the API under it`
        : `this API needs no token, so it answers only to loopback host names (localhost, 127.0.0.1, [::1], *.localhost), not '${shown}': set FLOWDECK_ALLOWED_HOSTS=${shown} to serve it under this name, or require tokens (FLOWDECK_TOKENS)`,
    });
    onRefused(req, res);
  };
}
