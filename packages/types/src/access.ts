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
});
export type Whoami = z.infer<typeof Whoami>;

/** A configured token, without its secret. */
export const TokenInfo = z.object({ name: z.string(), scope: Scope });
export type TokenInfo = z.infer<typeof TokenInfo>;

export const TokenList = z.object({ authRequired: z.boolean(), items: z.array(TokenInfo) });
export type TokenList = z.infer<typeof TokenList>;

export const AuditAction = z.enum([
  'run.start',
  'schedule.create',
  'schedule.update',
  'schedule.pause',
  'schedule.resume',
  'schedule.trigger',
  'schedule.delete',
]);
export type AuditAction = z.infer<typeof AuditAction>;

/** One write through the API: who did what, when, and the state before and after it. */
export const AuditEntry = z.object({
  id: z.string(),
  at: Millis,
  /** The token's name; `anonymous` when the API has no tokens configured. */
  actor: z.string(),
  action: AuditAction,
  flowName: FlowName,
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
