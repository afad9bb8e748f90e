import type { Scope } from '@flowdeck/types';
import type { Request } from 'express';
import { ForbiddenError, UnauthorizedError } from './errors.ts';
import { includes, type RouteScope } from './scopes.ts';
import type { TokenStore } from './tokens.ts';

/** Who is calling: a token's name and scope, or `anonymous` on an API that needs no token. */
export interface Principal {
  name: string;
  scope: Scope;
  /** False on an API without tokens, where everyone on loopback may do everything. */
  authenticated: boolean;
}

export const ANONYMOUS: Principal = { name: 'anonymous', scope: 'admin', authenticated: false };

/**
 * The caller of a request, checked against the scope its route needs: 401 without a valid
 * token, 403 with a token that lacks the scope. Null on a public route called without a token.
 */
export function authorize(req: Request, needed: RouteScope, tokens: TokenStore): Principal | null {
  if (!tokens.required) return ANONYMOUS;
  const header = req.get('authorization');
  if (header === undefined || header === '') {
    if (needed === 'public') return null;
    throw new UnauthorizedError(
      `this API needs a token: send 'Authorization: Bearer <token>' with a token that has the ${needed} scope`,
    );
  }
  const match = /^Bearer +([^\s]+)\s*$/i.exec(header);
  if (!match) throw new UnauthorizedError("expected 'Authorization: Bearer <token>'");
  const entry = tokens.verify(match[1]!);
  if (!entry) throw new UnauthorizedError('the token is not valid: check it, or ask for a new one');
  if (needed !== 'public' && !includes(entry.scope, needed)) {
    throw new ForbiddenError(
      `the token '${entry.name}' has the ${entry.scope} scope; ${req.method} ${req.route?.path ?? req.path} needs ${needed}`,
    );
  }
  return { ...entry, authenticated: true };
}
