import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { FlowName } from '@flowdeck/types';
import { z } from 'zod';
import type { RedisConnectionSpec, RedisNode, RedisTls } from './redis.ts';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const optional = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/** `host:port,host:port` (an IPv6 host in brackets: `[::1]:7000`); the port defaults to `defaultPort`. */
const nodeList = (defaultPort: number) =>
  optional.transform((value, context): RedisNode[] | undefined => {
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

const flowList = optional.transform((value, context): string[] | undefined => {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = names.filter((name) => !FlowName.safeParse(name).success);
  if (bad.length > 0) {
    context.addIssue({ code: 'custom', message: `not flow names: ${bad.join(', ')}` });
    return z.NEVER;
  }
  return names.length > 0 ? [...new Set(names)] : undefined;
});

const commaList = optional.transform((value) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

/** Host names (`flowdeck.example`, `.example.org` for every name under it) or IP addresses. */
const hostList = commaList.transform((names, context): string[] => {
  const bare = names.map((name) => name.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
  const bad = bare.filter((name) => isIP(name) === 0 && !/^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name));
  if (bad.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `not host names (leave out scheme and port): ${bad.join(', ')}`,
    });
    return z.NEVER;
  }
  return bare;
});

/** Express's `trust proxy`: off, on (every hop), a number of hops, or the proxies' addresses. */
export type TrustProxy = boolean | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const trustProxy = optional.transform((value, context): TrustProxy => {
  const text = (value ?? 'off').trim().toLowerCase();
  if (['off', 'false', ''].includes(text)) return false;
  if (['on', 'true'].includes(text)) return true;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const items = text.split(',').map((item) => item.trim());
  const bad = items.filter((item) => !PROXY_NAMES.has(item) && isIP(item.replace(/\/\d{1,3}$/, '')) === 0);
  if (bad.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `expected off, on, a number of hops, or addresses/subnets of proxies (or loopback, linklocal, uniquelocal); not ${bad.join(', ')}`,
    });
    return z.NEVER;
  }
  return items;
});

/**
 * Every setting Flowdeck's processes read, parsed once from the environment.
 * Nothing else in the code reads `process.env`.
 */
const EnvSchema = z.object({
  REDIS_URL: optional.pipe(z.string().url('REDIS_URL must be a redis:// URL').optional()),
  REDIS_CLUSTER_NODES: nodeList(6379),
  REDIS_SENTINELS: nodeList(26379),
  REDIS_SENTINEL_NAME: optional,
  REDIS_SENTINEL_PASSWORD: optional,
  REDIS_USERNAME: optional,
  REDIS_PASSWORD: optional,
  REDIS_TLS: z.enum(['on', 'off', 'true', 'false']).optional(),
  REDIS_TLS_CA_FILE: optional,
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
  FLOWDECK_WORKER_FLOWS: flowList,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  FLOWDECK_RUN_RETENTION_COUNT: z.coerce.number().int().min(1).default(1000),
  FLOWDECK_RUN_RETENTION_DAYS: z.coerce.number().min(0.001).default(7),
  FLOWDECK_OCCURRENCE_RETENTION_COUNT: z.coerce.number().int().min(1).max(100_000).default(1000),
  FLOWDECK_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5000),
  FLOWDECK_STALL_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  FLOWDECK_CHECK_INTERVAL_MS: z.coerce
    .number()
    .int()
    .refine((ms) => ms === 0 || ms >= 1000, 'expected 0 (off) or at least 1000')
    .default(60_000),
  // API access and HTTP limits (apps/api): tokens, CORS origins, write rate limit, audit size.
  FLOWDECK_TOKENS: optional,
  FLOWDECK_TOKENS_FILE: optional,
  FLOWDECK_CORS_ORIGINS: commaList,
  FLOWDECK_ALLOWED_HOSTS: hostList,
  TRUST_PROXY: trustProxy,
  FLOWDECK_WRITE_RATE_LIMIT: z.coerce.number().int().min(0).default(300),
  FLOWDECK_AUDIT_MAX_ENTRIES: z.coerce.number().int().min(10).max(100_000).default(1000),
  FLOWDECK_AUDIT_RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(90),
  FLOWDECK_AUDIT_HARD_MAX_ENTRIES: z.coerce.number().int().min(10).max(10_000_000).default(100_000),
});

export interface Config {
  /** Which Redis: one node, a cluster or a Sentinel-managed primary. */
  redis: RedisConnectionSpec;
  prefix: string;
  host: string;
  port: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  consoleDir: string | undefined;
  flowsModule: string | undefined;
  examples: boolean;
  /** The flows this worker hosts, by name; undefined: every flow it loads. */
  workerFlows: string[] | undefined;
  concurrency: number;
  shutdownGraceMs: number;
  retention: RetentionConfig;
  heartbeatMs: number;
  /** How soon a job of a worker that died (kill -9, lost host) is handed to another worker. */
  stallTimeoutMs: number;
  /** How often a worker checks for schedules that lost their next fire and runs never enqueued; 0: never. */
  checkIntervalMs: number;
  access: AccessConfig;
}

/** Who may call the API and how much; read by the API only. */
export interface AccessConfig {
  /** `name:scope:token,...`; parsed, hashed and checked by the API. */
  tokens: string | undefined;
  /** A file of `name:scope:token` lines. */
  tokensFile: string | undefined;
  /** Origins allowed to call the API from a browser; none: CORS stays off. */
  corsOrigins: string[];
  /** Host names served besides loopback ones when no token is required (DNS rebinding). */
  allowedHosts: string[];
  /** Which proxies in front of the API to believe about the client's address and scheme. */
  trustProxy: TrustProxy;
  /** Writes per token per minute; 0 turns the limit off. */
  writeRateLimit: number;
  /** Audit entries kept per flow whatever their age. */
  auditMaxEntries: number;
  /** Audit entries younger than this are kept beyond `auditMaxEntries`, up to `auditHardMaxEntries`. */
  auditRetentionMs: number;
  /** Never more audit entries per flow than this. */
  auditHardMaxEntries: number;
}

export interface RetentionConfig {
  /** Runs kept per flow; older ones (and their events) are deleted. */
  maxRuns: number;
  /** Runs older than this are deleted. */
  maxAgeMs: number;
  /** Fires kept in each schedule's history (default 1000); older ones are deleted. */
  occurrencesPerSchedule?: number;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    redis: redisSpec(e),
    prefix: e.FLOWDECK_PREFIX,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    consoleDir: e.FLOWDECK_CONSOLE_DIR,
    flowsModule: e.FLOWDECK_FLOWS,
    examples: e.FLOWDECK_EXAMPLES === 'on',
    workerFlows: e.FLOWDECK_WORKER_FLOWS,
    concurrency: e.WORKER_CONCURRENCY,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    retention: {
      maxRuns: e.FLOWDECK_RUN_RETENTION_COUNT,
      maxAgeMs: e.FLOWDECK_RUN_RETENTION_DAYS * 86_400_000,
      occurrencesPerSchedule: e.FLOWDECK_OCCURRENCE_RETENTION_COUNT,
    },
    heartbeatMs: e.FLOWDECK_HEARTBEAT_MS,
    stallTimeoutMs: e.FLOWDECK_STALL_TIMEOUT_MS,
    checkIntervalMs: e.FLOWDECK_CHECK_INTERVAL_MS,
    access: {
      tokens: e.FLOWDECK_TOKENS,
      tokensFile: e.FLOWDECK_TOKENS_FILE,
      corsOrigins: e.FLOWDECK_CORS_ORIGINS,
      allowedHosts: e.FLOWDECK_ALLOWED_HOSTS,
      trustProxy: e.TRUST_PROXY,
      writeRateLimit: e.FLOWDECK_WRITE_RATE_LIMIT,
      auditMaxEntries: e.FLOWDECK_AUDIT_MAX_ENTRIES,
      auditRetentionMs: e.FLOWDECK_AUDIT_RETENTION_DAYS * 86_400_000,
      auditHardMaxEntries: auditHardMax(e),
    },
  };
}

function auditHardMax(e: z.infer<typeof EnvSchema>): number {
  if (e.FLOWDECK_AUDIT_HARD_MAX_ENTRIES >= e.FLOWDECK_AUDIT_MAX_ENTRIES)
    return e.FLOWDECK_AUDIT_HARD_MAX_ENTRIES;
  throw new Error(
    `Invalid configuration:\n  FLOWDECK_AUDIT_HARD_MAX_ENTRIES: ${e.FLOWDECK_AUDIT_HARD_MAX_ENTRIES} is below FLOWDECK_AUDIT_MAX_ENTRIES (${e.FLOWDECK_AUDIT_MAX_ENTRIES})`,
  );
}

/** One of REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (with REDIS_SENTINEL_NAME). */
function redisSpec(e: z.infer<typeof EnvSchema>): RedisConnectionSpec {
  const given = [
    e.REDIS_URL && 'REDIS_URL',
    e.REDIS_CLUSTER_NODES && 'REDIS_CLUSTER_NODES',
    e.REDIS_SENTINELS && 'REDIS_SENTINELS',
  ].filter(Boolean);
  if (given.length > 1)
    throw new Error(`Invalid configuration:\n  ${given.join(', ')}: set only one of them`);
  const tls = redisTls(e);
  const auth = {
    ...(e.REDIS_USERNAME ? { username: e.REDIS_USERNAME } : {}),
    ...(e.REDIS_PASSWORD ? { password: e.REDIS_PASSWORD } : {}),
    ...(tls ? { tls } : {}),
  };
  if (e.REDIS_CLUSTER_NODES) return { mode: 'cluster', nodes: e.REDIS_CLUSTER_NODES, ...auth };
  if (e.REDIS_SENTINELS) {
    if (!e.REDIS_SENTINEL_NAME)
      throw new Error(
        'Invalid configuration:\n  REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the master name the sentinels monitor)',
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
function redisTls(e: z.infer<typeof EnvSchema>): RedisTls | undefined {
  const invalid = (message: string) => new Error(`Invalid configuration:\n  ${message}`);
  const byUrl = e.REDIS_URL?.startsWith('rediss://') === true;
  const off = e.REDIS_TLS === 'off' || e.REDIS_TLS === 'false';
  if (off && byUrl) throw invalid('REDIS_TLS: off, but REDIS_URL is a rediss:// (TLS) URL');
  const asked = e.REDIS_TLS === 'on' || e.REDIS_TLS === 'true';
  if (!e.REDIS_TLS_CA_FILE) return asked ? {} : undefined;
  if (!asked && !byUrl) {
    throw invalid('REDIS_TLS_CA_FILE: set, but TLS is off (set REDIS_TLS=on or use a rediss:// URL)');
  }
  let ca: string;
  try {
    ca = readFileSync(e.REDIS_TLS_CA_FILE, 'utf8');
  } catch (error) {
    throw invalid(`REDIS_TLS_CA_FILE: cannot read ${e.REDIS_TLS_CA_FILE} (${(error as Error).message})`);
  }
  try {
    new X509Certificate(ca); // the first certificate of the file; Node's TLS would skip a bad one silently
  } catch (error) {
    throw invalid(
      `REDIS_TLS_CA_FILE: ${e.REDIS_TLS_CA_FILE} holds no PEM certificate (${(error as Error).message})`,
    );
  }
  return { ca };
}
