import { isIP } from 'node:net';
import {
  type EngineConfig,
  EngineEnv,
  engineConfig,
  invalidConfig,
  optionalEnv,
  parseEnv,
} from '@flowdeck/engine';
import { z } from 'zod';

/**
 * The API's settings: the engine's (Redis, prefix, retention, ...) plus where it listens, what it
 * serves and who may call it, parsed once from the environment at start-up.
 */

const commaList = optionalEnv.transform((value) =>
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

const trustProxy = optionalEnv.transform((value, context): TrustProxy => {
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

const ApiEnv = EngineEnv.extend({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  FLOWDECK_CONSOLE_DIR: z.string().optional(),
  FLOWDECK_TOKENS: optionalEnv,
  FLOWDECK_TOKENS_FILE: optionalEnv,
  FLOWDECK_CORS_ORIGINS: commaList,
  FLOWDECK_ALLOWED_HOSTS: hostList,
  TRUST_PROXY: trustProxy,
  FLOWDECK_WRITE_RATE_LIMIT: z.coerce.number().int().min(0).default(300),
  FLOWDECK_AUDIT_MAX_ENTRIES: z.coerce.number().int().min(10).max(100_000).default(1000),
  FLOWDECK_AUDIT_RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(90),
  FLOWDECK_AUDIT_HARD_MAX_ENTRIES: z.coerce.number().int().min(10).max(10_000_000).default(100_000),
});
type ApiEnv = z.infer<typeof ApiEnv>;

export interface ApiSettings extends EngineConfig {
  host: string;
  port: number;
  consoleDir: string | undefined;
  access: AccessConfig;
}

/** Who may call the API and how much, and how long their audit trail is kept. */
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

/** The API's settings from `env`; throws "Invalid configuration: ..." naming each bad variable. */
export function loadApiSettings(env: Record<string, string | undefined>): ApiSettings {
  const e = parseEnv(ApiEnv, env);
  return {
    ...engineConfig(e),
    host: e.HOST,
    port: e.PORT,
    consoleDir: e.FLOWDECK_CONSOLE_DIR,
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

function auditHardMax(e: ApiEnv): number {
  if (e.FLOWDECK_AUDIT_HARD_MAX_ENTRIES >= e.FLOWDECK_AUDIT_MAX_ENTRIES)
    return e.FLOWDECK_AUDIT_HARD_MAX_ENTRIES;
  throw invalidConfig(
    `FLOWDECK_AUDIT_HARD_MAX_ENTRIES: ${e.FLOWDECK_AUDIT_HARD_MAX_ENTRIES} is below FLOWDECK_AUDIT_MAX_ENTRIES (${e.FLOWDECK_AUDIT_MAX_ENTRIES})`,
  );
}
