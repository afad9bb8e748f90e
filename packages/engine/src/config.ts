import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RedisConnectionSpec, RedisNode, RedisTls } from './redis.ts';

/**
 * The settings every Flowdeck process reads: which Redis, the key prefix, how long runs are kept,
 * the heartbeat, logging and the shutdown grace. The API and the worker extend `EngineEnv` with
 * their own settings (apps/api/src/settings.ts, apps/worker/src/settings.ts) and parse the
 * environment once at start-up with `parseEnv`; nothing else in the code reads `process.env`.
 */

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** An optional variable; set but empty counts as unset. */
export const optionalEnv = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/** `host:port,host:port` (an IPv6 host in brackets: `[::1]:7000`); the port defaults to `defaultPort`. */
const nodeList = (defaultPort: number) =>
  optionalEnv.transform((value, context): RedisNode[] | undefined => {
    if (value === undefined) return undefined;
    const nodes: RedisNode[] = [];
    for (const item of value.split(',').map((s) => s.trim())) {
      const match = /^(?:\[([^\]]+)\]|([^:\s]+))(?::(\d{1,5}))?$/.exec(item);
      const port = match?.[3] === undefined ? defaultPort : Number(match[3]);
      const host = match?.[1] ?? match?.[2];
      if (!host || port < 1 || port > 65535) {
        context.addIssue({ code: 'custom', message: `'${item}' is not host:port` });
        return z.NEVER;
      }
      nodes.push({ host, port });
    }
    return nodes;
  });

export const EngineEnv = z.object({
  REDIS_URL: optionalEnv.pipe(z.string().url('REDIS_URL must be a redis:// URL').optional()),
  REDIS_CLUSTER_NODES: nodeList(6379),
  REDIS_SENTINELS: nodeList(26379),
  REDIS_SENTINEL_NAME: optionalEnv,
  REDIS_SENTINEL_PASSWORD: optionalEnv,
  REDIS_USERNAME: optionalEnv,
  REDIS_PASSWORD: optionalEnv,
  REDIS_TLS: z.enum(['on', 'off', 'true', 'false']).optional(),
  REDIS_TLS_CA_FILE: optionalEnv,
  FLOWDECK_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,20}$/)
    .default('fd'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  FLOWDECK_RUN_RETENTION_COUNT: z.coerce.number().int().min(1).default(1000),
  FLOWDECK_RUN_RETENTION_DAYS: z.coerce.number().min(0.001).default(7),
  FLOWDECK_OCCURRENCE_RETENTION_COUNT: z.coerce.number().int().min(1).max(100_000).default(1000),
  FLOWDECK_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5000),
});
export type EngineEnv = z.infer<typeof EngineEnv>;

export interface EngineConfig {
  /** Which Redis: one node, a cluster or a Sentinel-managed primary. */
  redis: RedisConnectionSpec;
  prefix: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** How long a stopping process lets work in progress (requests, steps) finish. */
  shutdownGraceMs: number;
  retention: RetentionConfig;
  heartbeatMs: number;
}

export interface RetentionConfig {
  /** Runs kept per flow; older ones (and their events) are deleted. */
  maxRuns: number;
  /** Runs older than this are deleted. */
  maxAgeMs: number;
  /** Fires kept in each schedule's history (default 1000); older ones are deleted. */
  occurrencesPerSchedule?: number;
}

/** The error that stops a process at start-up, naming the variable: "Invalid configuration:\n  NAME: why". */
export function invalidConfig(...lines: string[]): Error {
  return new Error(`Invalid configuration:\n${lines.map((line) => `  ${line}`).join('\n')}`);
}

/** The environment parsed by a process's schema (`EngineEnv` or one extending it), every mistake listed. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw invalidConfig(...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
}

/** The engine's part of parsed settings; throws for what one variable alone cannot say (two kinds of Redis). */
export function engineConfig(e: EngineEnv): EngineConfig {
  return {
    redis: redisSpec(e),
    prefix: e.FLOWDECK_PREFIX,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    retention: {
      maxRuns: e.FLOWDECK_RUN_RETENTION_COUNT,
      maxAgeMs: e.FLOWDECK_RUN_RETENTION_DAYS * 86_400_000,
      occurrencesPerSchedule: e.FLOWDECK_OCCURRENCE_RETENTION_COUNT,
    },
    heartbeatMs: e.FLOWDECK_HEARTBEAT_MS,
  };
}

/** The engine's settings alone, for a process (or a test) that needs nothing else. */
export function loadConfig(env: Record<string, string | undefined>): EngineConfig {
  return engineConfig(parseEnv(EngineEnv, env));
}

/** One of REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (with REDIS_SENTINEL_NAME). */
function redisSpec(e: EngineEnv): RedisConnectionSpec {
  const given = [
    e.REDIS_URL && 'REDIS_URL',
    e.REDIS_CLUSTER_NODES && 'REDIS_CLUSTER_NODES',
    e.REDIS_SENTINELS && 'REDIS_SENTINELS',
  ].filter(Boolean);
  if (given.length > 1) throw invalidConfig(`${given.join(', ')}: set only one of them`);
  const tls = redisTls(e);
  const auth = {
    ...(e.REDIS_USERNAME ? { username: e.REDIS_USERNAME } : {}),
    ...(e.REDIS_PASSWORD ? { password: e.REDIS_PASSWORD } : {}),
    ...(tls ? { tls } : {}),
  };
  if (e.REDIS_CLUSTER_NODES) return { mode: 'cluster', nodes: e.REDIS_CLUSTER_NODES, ...auth };
  if (e.REDIS_SENTINELS) {
    if (!e.REDIS_SENTINEL_NAME)
      throw invalidConfig(
        'REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the master name the sentinels monitor)',
      );
    return {
      mode: 'sentinel',
      sentinels: e.REDIS_SENTINELS,
      masterName: e.REDIS_SENTINEL_NAME,
      ...(e.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: e.REDIS_SENTINEL_PASSWORD } : {}),
      ...auth,
    };
  }
  return { mode: 'single', url: e.REDIS_URL ?? DEFAULT_REDIS_URL, ...auth };
}

/**
 * REDIS_TLS=on encrypts every Redis connection (a `rediss://` URL does it alone);
 * REDIS_TLS_CA_FILE names the PEM file of a private certificate authority to trust.
 */
function redisTls(e: EngineEnv): RedisTls | undefined {
  const byUrl = e.REDIS_URL?.startsWith('rediss://') === true;
  const off = e.REDIS_TLS === 'off' || e.REDIS_TLS === 'false';
  if (off && byUrl) throw invalidConfig('REDIS_TLS: off, but REDIS_URL is a rediss:// (TLS) URL');
  const asked = e.REDIS_TLS === 'on' || e.REDIS_TLS === 'true';
  if (!e.REDIS_TLS_CA_FILE) return asked ? {} : undefined;
  if (!asked && !byUrl) {
    throw invalidConfig('REDIS_TLS_CA_FILE: set, but TLS is off (set REDIS_TLS=on or use a rediss:// URL)');
  }
  let ca: string;
  try {
    ca = readFileSync(e.REDIS_TLS_CA_FILE, 'utf8');
  } catch (error) {
    throw invalidConfig(
      `REDIS_TLS_CA_FILE: cannot read ${e.REDIS_TLS_CA_FILE} (${(error as Error).message})`,
    );
  }
  try {
    new X509Certificate(ca); // the first certificate of the file; Node's TLS would skip a bad one silently
  } catch (error) {
    throw invalidConfig(
      `REDIS_TLS_CA_FILE: ${e.REDIS_TLS_CA_FILE} holds no PEM certificate (${(error as Error).message})`,
    );
  }
  return { ca };
}
