import { z } from 'zod';

/**
 * Every setting Flowdeck's processes read, parsed once from the environment.
 * Nothing else in the code reads `process.env`.
 */
const EnvSchema = z.object({
  REDIS_URL: z.string().url('REDIS_URL must be a redis:// URL').default('redis://127.0.0.1:6379'),
  FLOWDECK_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,20}$/)
    .default('fd'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  FLOWDECK_CONSOLE_DIR: z.string().optional(),
  FLOWDECK_FLOWS: z.string().optional(),
  FLOWDECK_EXAMPLES: z.enum(['on', 'off']).default('on'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  FLOWDECK_RUN_RETENTION_COUNT: z.coerce.number().int().min(1).default(1000),
  FLOWDECK_RUN_RETENTION_DAYS: z.coerce.number().min(0.001).default(7),
  FLOWDECK_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5000),
});

export interface Config {
  redisUrl: string;
  prefix: string;
  host: string;
  port: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  consoleDir: string | undefined;
  flowsModule: string | undefined;
  examples: boolean;
  concurrency: number;
  shutdownGraceMs: number;
  retention: RetentionConfig;
  heartbeatMs: number;
}

export interface RetentionConfig {
  /** Runs kept per flow; older ones (and their events) are deleted. */
  maxRuns: number;
  /** Runs older than this are deleted. */
  maxAgeMs: number;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    redisUrl: e.REDIS_URL,
    prefix: e.FLOWDECK_PREFIX,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    consoleDir: e.FLOWDECK_CONSOLE_DIR,
    flowsModule: e.FLOWDECK_FLOWS,
    examples: e.FLOWDECK_EXAMPLES === 'on',
    concurrency: e.WORKER_CONCURRENCY,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    retention: {
      maxRuns: e.FLOWDECK_RUN_RETENTION_COUNT,
      maxAgeMs: e.FLOWDECK_RUN_RETENTION_DAYS * 86_400_000,
    },
    heartbeatMs: e.FLOWDECK_HEARTBEAT_MS,
  };
}
