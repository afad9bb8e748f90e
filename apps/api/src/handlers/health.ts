import type { Health } from '@flowdeck/types';
import packageJson from '../../package.json' with { type: 'json' };
import { REDIS_RETRY_AFTER_SEC } from '../errors.ts';
import type { AppDeps, Reply } from '../route-builder.ts';

/** GET /api/health: 200 while Redis answers, else 503 with the same body saying why. */
export async function health({ engine }: AppDeps): Promise<Reply> {
  const { redis, liveWorkers } = await engine.health();
  const body: Health = {
    status: redis.ok ? 'ok' : 'unavailable',
    redis,
    workers: { live: liveWorkers },
    version: packageJson.version,
    uptimeSec: Math.round(process.uptime()),
  };
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (!redis.ok) headers['retry-after'] = String(REDIS_RETRY_AFTER_SEC);
  return { status: redis.ok ? 200 : 503, body, headers };
}
