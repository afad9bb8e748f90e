import { createTokenStore, parseTokenSpecs } from '../src/auth/tokens.ts';

/** One token per scope, as an operator would configure them in FLOWDECK_TOKENS. */
export const TOKENS = {
  read: 'read-token-0123456789',
  operate: 'operate-token-0123456789',
  admin: 'admin-token-0123456789',
} as const;

export const TOKENS_ENV = `reader:read:${TOKENS.read},operator:operate:${TOKENS.operate},boss:admin:${TOKENS.admin}`;

export function testTokens() {
  return createTokenStore(parseTokenSpecs(TOKENS_ENV.split(','), 'FLOWDECK_TOKENS'));
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
