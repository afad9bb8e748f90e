import { z } from 'zod';
import { FlowName, Millis } from './common.ts';

/**
 * What a token may do: `read` sees flows, runs and schedules; `operate` also starts runs and
 * changes schedules; `admin` also sees token-level views (the audit trail, the token list).
 */
export const Scope = z.enum(['read', 'operate', 'admin']);
export type Scope = z.infer<typeof Scope>;

/** Who the caller is, and whether the API asks for a token at all. */
export const Whoami = z.object({
  /** False when the API has no tokens configured (open, on loopback only). */
  authRequired: z.boolean(),
  /** The token's name; null when no token was sent; `anonymous` when the API needs none. */
  name: z.string().nullable(),
  /** The scopes the caller has, the granted one and those it includes. */
  scopes: z.array(Scope),
  /**
   * Set when a token was sent that the API does not accept (revoked, mistyped, malformed): why.
   * whoami still answers 200, as every public route does, and `name` is then null.
   */
  tokenError: z.string().optional(),
});
export type Whoami = z.infer<typeof Whoami>;

/** A configured token, without its secret. */
export const TokenInfo = z.object({ name: z.string(), scope: Scope });
export type TokenInfo = z.infer<typeof TokenInfo>;

export const TokenList = z.object({ authRequired: z.boolean(), items: z.array(TokenInfo) });
export type TokenList = z.infer<typeof TokenList>;

export const AuditAction = z.enum([
  'run.start',
  'run.cancel',
  'run.retry',
  'run.replay',
  'run.delete',
  'run.bulk',
  'schedule.create',
  'schedule.update',
  'schedule.pause',
  'schedule.resume',
  'schedule.trigger',
  'schedule.delete',
  // A request refused with 401 or 403: who tried what, recorded at most a few times a minute per client.
  'access.denied',
]);
export type AuditAction = z.infer<typeof AuditAction>;

/**
 * One write through the API: who did what, when, and the state before and after it. An
 * `access.denied` entry is a refused request instead: `after` holds what was refused (method,
 * path, status, code, client address) and `flowName` is there only when the path names a flow.
 */
export const AuditEntry = z.object({
  id: z.string(),
  at: Millis,
  /** The token's name; `anonymous` when the API has no tokens configured or none valid was sent. */
  actor: z.string(),
  action: AuditAction,
  flowName: FlowName.optional(),
  scheduleId: z.string().optional(),
  runId: z.string().optional(),
  requestId: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditList = z.object({ items: z.array(AuditEntry) });
export type AuditList = z.infer<typeof AuditList>;

export const ListAuditQuery = z.object({
  flowName: FlowName.optional(),
  scheduleId: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;
