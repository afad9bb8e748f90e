import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis.ts';

/**
 * Redis scripts are the `.lua` files under `lua/`, each opening with a header that names its KEYS
 * and ARGV. Parts several scripts share live under `lua/includes/` and are pulled in by a line
 * `--- @include "<path>"` (relative to the including file, without `.lua`), as BullMQ does: the
 * include's text takes the line's place, each include once per script, where it is first named.
 * Files are read once, when the module that names the script loads.
 */

/** The directory of the scripts. */
export const LUA_DIR = new URL('./lua/', import.meta.url);

const INCLUDE = /^--- @include "([^"]+)"[ \t]*$/gm;

/** A script's text with its includes in place. `name` is its path under lua/, without `.lua`. */
export function luaSource(name: string): string {
  return resolveIncludes(new URL(`${name}.lua`, LUA_DIR), new Set(), []);
}

function resolveIncludes(file: URL, included: Set<string>, including: string[]): string {
  const text = readFileSync(file, 'utf8');
  return text.replace(INCLUDE, (_line, path: string) => {
    const target = new URL(`${path}.lua`, file);
    if (including.includes(target.href) || target.href === file.href) {
      throw new Error(`${file.pathname} includes "${path}", which includes it`);
    }
    if (included.has(target.href)) return '';
    included.add(target.href);
    try {
      return resolveIncludes(target, included, [...including, file.href]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new Error(`${file.pathname} includes "${path}", which is not a file`);
    }
  });
}

export interface LuaScript {
  (redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown>;
  /**
   * Whether a call sent now on `redis` runs as sent, not retried as EVAL after a NOSCRIPT: the
   * script ran by its SHA on this connection since it last connected. A command sent after it
   * on the same connection then runs after it. Never for a Cluster, whose nodes change under it.
   */
  isLoadedOn(redis: RedisClient): boolean;
}

/** The scripts that ran by their SHA on a connection since it last connected. */
const loadedOn = new WeakMap<RedisClient, Set<string>>();

function markLoaded(redis: RedisClient, sha: string) {
  const loaded = loadedOn.get(redis) ?? new Set<string>();
  if (!loadedOn.has(redis)) {
    loadedOn.set(redis, loaded);
    // A new connection may be to a restarted Redis, or another one after a failover.
    redis.on('close', () => loaded.clear());
  }
  loaded.add(sha);
}

/**
 * The script `lua/<name>.lua`, called by its SHA, loaded on first use (or after Redis restarts).
 * Its file is read now, so a missing script or include fails when its module loads.
 */
export function luaScript(name: string): LuaScript {
  const source = luaSource(name);
  const sha = createHash('sha1').update(source).digest('hex');
  const call = async (redis: RedisClient, keys: string[], args: (string | number)[]) => {
    try {
      const result = await redis.evalsha(sha, keys.length, ...keys, ...args);
      if (!loadedOn.get(redis)?.has(sha)) markLoaded(redis, sha);
      return result;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        loadedOn.get(redis)?.delete(sha);
        return redis.eval(source, keys.length, ...keys, ...args);
      }
      throw error;
    }
  };
  return Object.assign(call, {
    isLoadedOn: (redis: RedisClient) =>
      !(redis instanceof Cluster) && (loadedOn.get(redis)?.has(sha) ?? false),
  });
}
