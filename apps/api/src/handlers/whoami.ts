import type { Whoami } from '@flowdeck/types';
import { scopesOf } from '../auth/scopes.ts';
import type { HandlerInput, Reply } from '../route-builder.ts';

/** GET /api/auth/whoami: whether the API needs a token and, if one was sent, whose it is. */
export async function whoami({ access, principal }: HandlerInput<unknown, unknown, unknown>): Promise<Reply> {
  const body: Whoami = {
    authRequired: access.tokens.required,
    name: principal?.name ?? null,
    scopes: principal ? scopesOf(principal.scope) : [],
  };
  return { body, headers: { 'cache-control': 'no-store' } };
}
