import type { Health } from '@flowdeck/types';
import packageJson from '../../package.json' with { type: 'json' };
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
  return { status: redis.ok ? 200 : 503, body, headers: { 'cache-control': 'no-store' } };
}
