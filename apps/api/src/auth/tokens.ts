import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Scope } from '@flowdeck/types';

/**
 * The API's tokens. Each is configured as `name:scope:token` (in FLOWDECK_TOKENS, comma
 * separated, or one per line in FLOWDECK_TOKENS_FILE) and kept only as its SHA-256: the
 * secret itself is dropped once hashed. A presented token is hashed and compared with every
 * stored hash in constant time, so neither a match nor its position shows in the timing.
 */

export interface TokenEntry {
  name: string;
  scope: Scope;
  hash: Buffer;
}

export interface TokenStore {
  /** True when at least one token is configured: every non-public route then needs one. */
  readonly required: boolean;
  readonly entries: ReadonlyArray<Omit<TokenEntry, 'hash'>>;
  /** The entry whose secret is `token`, or null. */
  verify(token: string): Omit<TokenEntry, 'hash'> | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
export const MIN_TOKEN_LENGTH = 16;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Parses `name:scope:token` items; errors name the item by name or position, never by secret. */
export function parseTokenSpecs(items: string[], source: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  items.forEach((item, index) => {
    const [name = '', scope = '', ...rest] = item.split(':');
    const token = rest.join(':');
    const where = `${source}: entry ${index + 1}${NAME.test(name) ? ` ('${name}')` : ''}`;
    if (!NAME.test(name))
      throw new Error(
        `${where}: expected name:scope:token, with a name of letters, digits, '_', '.', '@' or '-'`,
      );
    const parsedScope = Scope.safeParse(scope);
    if (!parsedScope.success)
      throw new Error(`${where}: the scope must be read, operate or admin, not '${scope}'`);
    if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
      throw new Error(`${where}: the token must be at least ${MIN_TOKEN_LENGTH} characters without spaces`);
    }
    entries.push({ name, scope: parsedScope.data, hash: sha256(token) });
  });
  return entries;
}

export function createTokenStore(entries: TokenEntry[]): TokenStore {
  const names = new Set<string>();
  for (const { name } of entries) {
    if (names.has(name)) throw new Error(`two API tokens are named '${name}'; names must be unique`);
    names.add(name);
  }
  return {
    required: entries.length > 0,
    entries: entries.map(({ name, scope }) => ({ name, scope })),
    verify(token) {
      const presented = sha256(token);
      let match: TokenEntry | null = null;
      for (const entry of entries) {
        if (timingSafeEqual(presented, entry.hash) && match === null) match = entry;
      }
      return match && { name: match.name, scope: match.scope };
    },
  };
}

/** The tokens of FLOWDECK_TOKENS and FLOWDECK_TOKENS_FILE together. */
export async function loadTokens(access: { tokens?: string; tokensFile?: string }): Promise<TokenStore> {
  const fromEnv = (access.tokens ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const entries = parseTokenSpecs(fromEnv, 'FLOWDECK_TOKENS');
  if (access.tokensFile) {
    let text: string;
    try {
      text = await readFile(access.tokensFile, 'utf8');
    } catch (error) {
      throw new Error(`FLOWDECK_TOKENS_FILE: cannot read ${access.tokensFile}: ${(error as Error).message}`);
    }
    const lines = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    entries.push(...parseTokenSpecs(lines, 'FLOWDECK_TOKENS_FILE'));
  }
  return createTokenStore(entries);
}

export const noTokens: TokenStore = createTokenStore([]);
