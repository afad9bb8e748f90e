import type { TokenList } from '@flowdeck/types';
import type { HandlerInput, Reply } from '../route-builder.ts';

/** GET /api/_tokens: the configured tokens' names and scopes; their secrets are never kept. */
export async function listTokens({ access }: HandlerInput<unknown, unknown, unknown>): Promise<Reply> {
  const body: TokenList = { authRequired: access.tokens.required, items: [...access.tokens.entries] };
  return { body };
}
