import type { EngineContext } from './context.ts';
import { luaScript } from './lua.ts';

/**
 * Fixed-window counters in Redis, so a limit holds across every API replica: the first hit
 * of a window creates its key with the window's length as expiry, later hits count up.
 */
const hitScript = luaScript('rate-limit-hit');

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window ends and the count starts again. */
  resetMs: number;
}

export function createRateLimiter(ctx: EngineContext) {
  return {
    async hit(subject: string, limit: number, windowMs: number): Promise<RateLimitResult> {
      const now = Date.now();
      const window = Math.floor(now / windowMs);
      const resetMs = Math.max(1, (window + 1) * windowMs - now);
      const key = ctx.keys.rateLimit(subject, window);
      const count = (await hitScript(ctx.redis, [key], [resetMs])) as number;
      return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetMs };
    },
  };
}
