import type { RetentionConfig } from './config.ts';
import type { Keys } from './keys.ts';
import type { Logger } from './logger.ts';
import type { RedisClient, RedisConnectionSpec } from './redis.ts';

/** What every engine module shares: one command connection, the key speller, settings. */
export interface EngineContext {
  redis: RedisClient;
  /** Where `redis` points; parts that need a connection of their own (blocking reads) open it from here. */
  connection: RedisConnectionSpec;
  keys: Keys;
  retention: RetentionConfig;
  heartbeatMs: number;
  logger: Logger;
}

/** Events kept per run; a chatty step's oldest log lines go first. */
export const EVENTS_MAX_LEN = 5000;
