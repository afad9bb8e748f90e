import { randomUUID } from 'node:crypto';
import { AuditEntry, type ListAuditQuery } from '@flowdeck/types';
import type { EngineContext } from './context.ts';
import { luaScript } from './lua.ts';

/**
 * The audit trail: one list per flow (in the flow's slot), newest first, and one list of
 * refused requests (`access.denied`), kept apart so that a flood of those cannot push the
 * record of changes out. Listing across flows merges the newest entries of each list.
 *
 * Lists are trimmed on every write by age and size together: an entry goes once it is both
 * older than `retentionMs` and past the newest `maxEntries`, or once it is past
 * `hardMaxEntries` whatever its age. A quiet flow so keeps its last `maxEntries` for ever, and
 * a token writing as fast as the write limit lets it needs `hardMaxEntries` writes (hours, not
 * minutes) to push out anything younger than `retentionMs`.
 */

export interface AuditLimits {
  /** Entries kept whatever their age. */
  maxEntries: number;
  /** Entries younger than this are kept beyond `maxEntries`, up to `hardMaxEntries`. */
  retentionMs: number;
  /** Never more entries than this in one list. */
  hardMaxEntries: number;
}

export const AUDIT_DEFAULTS: AuditLimits = {
  maxEntries: 1000,
  retentionMs: 90 * 86_400_000,
  hardMaxEntries: 100_000,
};

/** A script, not MULTI: ioredis builds a MULTI by copying every script BullMQ defines on the
 * connection, which costs more than the write. */
const appendScript = luaScript('append-audit');

/** Entries read from a list at a time while looking for the newest matching ones. */
const PAGE = 200;

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

export function createAuditLog(ctx: EngineContext, limits: Partial<AuditLimits> = {}) {
  const { redis, keys } = ctx;
  const maxEntries = limits.maxEntries ?? AUDIT_DEFAULTS.maxEntries;
  const retentionMs = limits.retentionMs ?? AUDIT_DEFAULTS.retentionMs;
  const hardMaxEntries = Math.max(maxEntries, limits.hardMaxEntries ?? AUDIT_DEFAULTS.hardMaxEntries);

  async function record(entry: NewAuditEntry): Promise<AuditEntry> {
    const full: AuditEntry = { id: randomUUID(), at: Date.now(), ...entry };
    const append = (key: string) =>
      appendScript(
        redis,
        [key],
        [JSON.stringify(full), maxEntries, hardMaxEntries, Date.now() - retentionMs],
      );
    if (entry.action === 'access.denied') {
      await append(keys.auditDenied);
      return full;
    }
    if (entry.flowName === undefined) throw new Error(`an audit entry of ${entry.action} names its flow`);
    // Two slots (the flow's list, the set of audited flows), so two calls, sent together.
    await Promise.all([append(keys.audit(entry.flowName)), redis.sadd(keys.auditedFlows, entry.flowName)]);
    return full;
  }

  /** The newest `limit` entries of one list that match, reading it a page at a time. */
  async function newestOf(key: string, matches: (entry: AuditEntry) => boolean, limit: number) {
    const found: AuditEntry[] = [];
    for (let start = 0; found.length < limit; start += PAGE) {
      const raw = await redis.lrange(key, start, start + PAGE - 1);
      for (const text of raw) {
        const parsed = AuditEntry.safeParse(JSON.parse(text));
        if (parsed.success && matches(parsed.data)) found.push(parsed.data);
      }
      if (raw.length < PAGE) break;
    }
    return found.slice(0, limit);
  }

  async function list(query: ListAuditQuery): Promise<AuditEntry[]> {
    const flows = query.flowName ? [query.flowName] : await redis.smembers(keys.auditedFlows);
    const matches = (entry: AuditEntry) =>
      (query.flowName === undefined || entry.flowName === query.flowName) &&
      (query.scheduleId === undefined || entry.scheduleId === query.scheduleId);
    const lists = flows.map((flow) => keys.audit(flow));
    // A refused request names no schedule, so a schedule's view has none.
    if (query.scheduleId === undefined) lists.push(keys.auditDenied);
    const all = (await Promise.all(lists.map((key) => newestOf(key, matches, query.limit)))).flat();
    return all.sort((a, b) => b.at - a.at).slice(0, query.limit);
  }

  return { record, list };
}
