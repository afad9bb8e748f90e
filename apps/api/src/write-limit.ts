import type { Engine } from '@flowdeck/engine';
import type { Response } from 'express';
import { RateLimitedError } from './auth/errors.ts';
import type { Principal } from './auth/principal.ts';
import type { AccessSettings } from './route-types.ts';

export const WRITE_WINDOW_MS = 60_000;

/**
 * Counts a write against the caller's limit (per token name, in Redis, so it holds across API
 * replicas) and says how much is left in `RateLimit-*` headers; over the limit, a 429 with
 * `Retry-After`. A limit of 0 means no limit.
 */
export async function limitWrites(
  engine: Engine,
  principal: Principal,
  { writeRateLimit: limit, writeWindowMs }: AccessSettings,
  res: Response,
) {
  if (limit <= 0) return;
  const result = await engine.rateLimit.hit(principal.name, limit, writeWindowMs);
  const resetSec = Math.max(1, Math.ceil(result.resetMs / 1000));
  res.set({
    'ratelimit-limit': String(result.limit),
    'ratelimit-remaining': String(result.remaining),
    'ratelimit-reset': String(resetSec),
  });
  if (!result.allowed) {
    throw new RateLimitedError(
      `'${principal.name}' made more than ${limit} changes in ${writeWindowMs / 1000} s; try again in ${resetSec} s`,
      resetSec,
    );
  }
}
