import type { Scope } from '@flowdeck/types';
import type { Request } from 'express';
import { ForbiddenError, UnauthorizedError } from './errors.ts';
import { includes, type RouteScope } from './scopes.ts';
import type { TokenEntry, TokenStore } from './tokens.ts';

/** Who is calling: a token's name and scope, or `anonymous` on an API that needs no token. */
export interface Principal {
  name: string;
  scope: Scope;
  /** False on an API without tokens, where everyone on loopback may do everything. */
  authenticated: boolean;
}

export const ANONYMOUS: Principal = { name: 'anonymous', scope: 'admin', authenticated: false };

type Presented = { kind: 'none' } | { kind: 'malformed' } | { kind: 'token'; token: string };

function presentedToken(req: Request): Presented {
  const header = req.get('authorization');
  if (header === undefined || header === '') return { kind: 'none' };
  const match = /^Bearer +([^\s]+)\s*$/i.exec(header);
  return match ? { kind: 'token', token: match[1]! } : { kind: 'malformed' };
}

/**
 * The caller of a request, checked against the scope its route needs: 401 without a valid
 * token, 403 with a token that lacks the scope. A public route (health, whoami, the document)
 * never refuses: a token it cannot verify counts as none, so a probe or a page with a stale
 * token still gets its answer; it is null there when no valid token came.
 */
export function authorize(req: Request, needed: RouteScope, tokens: TokenStore): Principal | null {
  if (!tokens.required) return ANONYMOUS;
  const presented = presentedToken(req);
  const entry = presented.kind === 'token' ? tokens.verify(presented.token) : null;
  if (needed === 'public') return entry && { ...entry, authenticated: true };
  if (presented.kind === 'none') {
    throw new UnauthorizedError(
      `this API needs a token: send 'Authorization: Bearer <token>' with a token that has the ${needed} scope`,
    );
  }
  if (presented.kind === 'malformed') throw new UnauthorizedError("expected 'Authorization: Bearer <token>'");
  if (!entry) throw new UnauthorizedError('the token is not valid: check it, or ask for a new one');
  if (!includes(entry.scope, needed)) throw forbidden(req, entry, needed);
  return { ...entry, authenticated: true };
}

function forbidden(req: Request, entry: Omit<TokenEntry, 'hash'>, needed: Scope) {
  return new ForbiddenError(
    `the token '${entry.name}' has the ${entry.scope} scope; ${req.method} ${req.route?.path ?? req.path} needs ${needed}`,
    entry.name,
  );
}
