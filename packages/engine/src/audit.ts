import { randomUUID } from 'node:crypto';
import { AuditEntry, type ListAuditQuery } from '@flowdeck/types';
import type { EngineContext } from './context.ts';

/**
 * The audit trail: one list per flow (in the flow's slot), newest first, trimmed to
 * `maxEntries` on every write so it never grows without bound. Listing across flows merges
 * the lists of the flows that have entries.
 */

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

export function createAuditLog(ctx: EngineContext, maxEntries: number) {
  const { redis, keys } = ctx;

  async function record(entry: NewAuditEntry): Promise<AuditEntry> {
    const full: AuditEntry = { id: randomUUID(), at: Date.now(), ...entry };
    const key = keys.audit(entry.flowName);
    await redis
      .multi()
      .lpush(key, JSON.stringify(full))
      .ltrim(key, 0, maxEntries - 1)
      .exec();
    await redis.sadd(keys.auditedFlows, entry.flowName);
    return full;
  }

  async function entriesOf(flow: string): Promise<AuditEntry[]> {
    const raw = await redis.lrange(keys.audit(flow), 0, -1);
    return raw.flatMap((text) => {
      const parsed = AuditEntry.safeParse(JSON.parse(text));
      return parsed.success ? [parsed.data] : [];
    });
  }

  async function list(query: ListAuditQuery): Promise<AuditEntry[]> {
    const flows = query.flowName ? [query.flowName] : await redis.smembers(keys.auditedFlows);
    const all = (await Promise.all(flows.map(entriesOf))).flat();
    return all
      .filter((entry) => query.scheduleId === undefined || entry.scheduleId === query.scheduleId)
      .sort((a, b) => b.at - a.at)
      .slice(0, query.limit);
  }

  return { record, list };
}
