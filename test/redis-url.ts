import { inject } from 'vitest';

/** The URL of the Redis the tests share: the private one from test/global-setup.ts, or REDIS_URL. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL || inject('redisUrl');
  if (!url) throw new Error('No Redis for the tests: run them with vitest from the repository root');
  return url;
}
