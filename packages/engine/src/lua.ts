import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.ts';

export type LuaScript = (redis: RedisClient, keys: string[], args: (string | number)[]) => Promise<unknown>;

/** A Lua script called by its SHA, loaded on first use (or after Redis restarts). */
export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return redis.eval(source, keys.length, ...keys, ...args);
      }
      throw error;
    }
  };
}
