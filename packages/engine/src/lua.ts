import { createHash } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis.ts';

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

/** A Lua script called by its SHA, loaded on first use (or after Redis restarts). */
export function luaScript(source: string): LuaScript {
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
