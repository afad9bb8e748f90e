import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRedis } from '../scripts/lib/redis.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * Starts one private redis-server for the whole test run, unless REDIS_URL points at one already.
 * Tests find it in `process.env.REDIS_URL` (see test/setup-env.ts) or through `redisUrl()`.
 * Test files share it, so each test keeps to its own key prefix.
 */
export default async function setup(project: TestProject) {
  const external = process.env.REDIS_URL;
  if (external) {
    project.provide('redisUrl', external);
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'flowdeck-vitest-redis-'));
  const redis = await startRedis({ dataDir });
  process.env.REDIS_URL = redis.url;
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
    delete process.env.REDIS_URL;
    await rm(dataDir, { recursive: true, force: true });
  };
}
