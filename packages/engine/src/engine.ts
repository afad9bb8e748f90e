import type { FlowManifest } from '@flowdeck/types';
import type { Engine, EngineHealth } from './api.ts';
import type { Config } from './config.ts';
import type { EngineContext } from './context.ts';
import { createEventLog } from './events.ts';
import { createKeys } from './keys.ts';
import { type Logger, silentLogger } from './logger.ts';
import { createQueues } from './queues.ts';
import { commandClient } from './redis.ts';
import { createRegistry } from './registry.ts';
import { createRunStore } from './runs.ts';
import { createScheduleService } from './schedules/service.ts';
import { createStartFlow } from './start-flow.ts';

export type EngineOptions = Pick<Config, 'redisUrl' | 'prefix' | 'retention' | 'heartbeatMs'> & {
  logger?: Logger;
};

/** The parts of the engine, shared by the public `Engine` and the worker. */
export function createEngineParts(
  options: EngineOptions,
  connectionName = 'flowdeck',
  hosted: ReadonlyMap<string, FlowManifest> = new Map(),
) {
  const ctx: EngineContext = {
    redis: commandClient(options.redisUrl, connectionName),
    redisUrl: options.redisUrl,
    keys: createKeys(options.prefix),
    retention: options.retention,
    heartbeatMs: options.heartbeatMs,
    logger: options.logger ?? silentLogger,
  };
  ctx.redis.on('error', (error) => ctx.logger.debug('redis connection error', { error: error.message }));
  const registry = createRegistry(ctx);
  const runs = createRunStore(ctx);
  const events = createEventLog(ctx);
  const queues = createQueues(ctx);
  const startFlow = createStartFlow(registry, runs, queues, hosted);
  const schedules = createScheduleService(ctx, { registry, runs, queues, startFlow });
  return { ctx, registry, runs, events, queues, startFlow, schedules };
}

export type EngineParts = ReturnType<typeof createEngineParts>;

export function createEngine(options: EngineOptions): Engine {
  const parts = createEngineParts(options);
  const { ctx, registry, runs, events, queues, startFlow, schedules } = parts;

  async function health(): Promise<EngineHealth> {
    const started = performance.now();
    try {
      await ctx.redis.ping();
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const liveWorkers = (await registry.workers()).filter((w) => w.live).length;
      return { redis: { ok: true, latencyMs }, liveWorkers };
    } catch (error) {
      return { redis: { ok: false, latencyMs: null, error: (error as Error).message }, liveWorkers: 0 };
    }
  }

  return {
    flows: { list: registry.list, get: registry.get },
    startFlow,
    runs: { list: runs.list, get: runs.get },
    events: { list: events.list, follow: events.follow },
    schedules: schedules.api,
    health,
    async close() {
      await queues.close();
      await ctx.redis.quit().catch(() => ctx.redis.disconnect());
    },
  };
}
