import type { Whoami } from '@flowdeck/types';
import { scopesOf } from '../auth/scopes.ts';
import type { HandlerInput, Reply } from '../route-builder.ts';

/**
 * GET /api/auth/whoami: whether the API needs a token and, if one was sent, whose it is. Like
 * the other public routes it answers 200 whatever the Authorization header holds; a token it
 * cannot verify is reported in `tokenError`, which clients read to tell a person their token is
 * not (or no longer) accepted.
 */
export async function whoami({
  access,
  principal,
  req,
}: HandlerInput<unknown, unknown, unknown>): Promise<Reply> {
  const rejected = access.tokens.required && principal === null && Boolean(req.get('authorization'));
  const body: Whoami = {
    authRequired: access.tokens.required,
    name: principal?.name ?? null,
    scopes: principal ? scopesOf(principal.scope) : [],
    ...(rejected ? { tokenError: 'the token is not valid: check it, or ask for a new one' } : {}),
  };
  return { body, headers: { 'cache-control': 'no-store' } };
}
