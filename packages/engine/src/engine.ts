import type { FlowManifest } from '@flowdeck/types';
import type { Engine, EngineHealth } from './api.ts';
import { createAuditLog } from './audit.ts';
import type { EngineConfig } from './config.ts';
import type { EngineContext } from './context.ts';
import { createEventLog } from './events.ts';
import { createKeys } from './keys.ts';
import { type Logger, silentLogger } from './logger.ts';
import { createQueues } from './queues.ts';
import { createRateLimiter } from './rate-limit.ts';
import { checkRedis, closeClient, commandClient, fromUrl, type RedisConnectionSpec } from './redis.ts';
import { createRegistry } from './registry.ts';
import { cancelRun, deleteRun, type RunActionDeps, replayRun, retryRun } from './run-actions.ts';
import { bulkRuns } from './run-bulk.ts';
import { listAllRuns } from './runs/all.ts';
import { createRunStore } from './runs.ts';
import { createScheduleService } from './schedules/service.ts';
import { createStartFlow } from './start-flow.ts';

/**
 * Which Redis: a connection spec (`EngineConfig.redis`), or just the URL of one Redis. When both are
 * given, the spec wins.
 */
export type RedisTarget =
  | { redis: RedisConnectionSpec; redisUrl?: string }
  | { redisUrl: string; redis?: RedisConnectionSpec };

export type EngineOptions = Pick<EngineConfig, 'prefix' | 'retention' | 'heartbeatMs'> &
  RedisTarget & {
    logger?: Logger;
    /** Audit entries kept per flow whatever their age (default 1000). */
    auditMaxEntries?: number;
    /** Audit entries younger than this are kept beyond `auditMaxEntries` (default 90 days). */
    auditRetentionMs?: number;
    /** Never more audit entries per flow than this (default 100000). */
    auditHardMaxEntries?: number;
  };

export function connectionOf(target: RedisTarget): RedisConnectionSpec {
  if (target.redis) return target.redis;
  if (target.redisUrl) return fromUrl(target.redisUrl);
  throw new Error('no Redis given: pass `redis` (a connection spec) or `redisUrl`');
}

/** The parts of the engine, shared by the public `Engine` and the worker. */
export function createEngineParts(
  options: EngineOptions,
  connectionName = 'flowdeck',
  hosted: ReadonlyMap<string, FlowManifest> = new Map(),
) {
  const connection = connectionOf(options);
  const ctx: EngineContext = {
    redis: commandClient(connection, connectionName),
    connection,
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
  const { startRun, startFlow } = createStartFlow(registry, runs, queues, hosted);
  const schedules = createScheduleService(ctx, { registry, runs, queues, startRun });
  return { ctx, registry, runs, events, queues, startFlow, schedules };
}

export type EngineParts = ReturnType<typeof createEngineParts>;

export function createEngine(options: EngineOptions): Engine {
  const parts = createEngineParts(options);
  const { ctx, registry, runs, events, queues, startFlow, schedules } = parts;
  const actions: RunActionDeps = { ctx, queues, registry, startFlow };

  async function health(): Promise<EngineHealth> {
    const redis = await checkRedis(ctx.redis);
    if (!redis.ok) return { redis, liveWorkers: 0 };
    try {
      const liveWorkers = (await registry.workers()).filter((w) => w.live).length;
      return { redis, liveWorkers };
    } catch (error) {
      return { redis: { ok: false, latencyMs: null, error: (error as Error).message }, liveWorkers: 0 };
    }
  }

  return {
    flows: {
      list: registry.list,
      get: registry.get,
      withWorkers: registry.withWorkers,
      manifest: registry.manifest,
    },
    startFlow,
    runs: {
      list: runs.list,
      listAll: async (query) => listAllRuns(ctx, await registry.names(), query),
      get: runs.get,
      cancel: (flow, runId, by) => cancelRun(actions, flow, runId, by),
      retry: (flow, runId, by) => retryRun(actions, flow, runId, by),
      replay: (flow, runId, input, by) => replayRun(actions, flow, runId, input, by),
      remove: (flow, runId) => deleteRun(actions, flow, runId),
      bulk: async (request, by) => bulkRuns(actions, await registry.names(), request, by),
    },
    events: { list: events.list, follow: events.follow },
    schedules: schedules.api,
    audit: createAuditLog(ctx, {
      maxEntries: options.auditMaxEntries,
      retentionMs: options.auditRetentionMs,
      hardMaxEntries: options.auditHardMaxEntries,
    }),
    rateLimit: createRateLimiter(ctx),
    health,
    async close() {
      await queues.close();
      await closeClient(ctx.redis);
    },
  };
}
