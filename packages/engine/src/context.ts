import type { Redis } from 'ioredis';
import type { RetentionConfig } from './config.ts';
import type { Keys } from './keys.ts';
import type { Logger } from './logger.ts';

/** What every engine module shares: one command connection, the key speller, settings. */
export interface EngineContext {
  redis: Redis;
  redisUrl: string;
  keys: Keys;
  retention: RetentionConfig;
  heartbeatMs: number;
  logger: Logger;
}

/** Events kept per run; a chatty step's oldest log lines go first. */
export const EVENTS_MAX_LEN = 5000;
