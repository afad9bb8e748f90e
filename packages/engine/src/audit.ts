import { randomUUID } from 'node:crypto';
import { AuditEntry, type ListAuditQuery } from '@flowdeck/types';
import type { EngineContext } from './context.ts';
import { luaScript } from './lua.ts';

/**
 * The audit trail: one list per flow (in the flow's slot), newest first, trimmed to
 * `maxEntries` on every write so it never grows without bound. Listing across flows merges
 * the lists of the flows that have entries.
 */

/** KEYS: the flow's list. ARGV: entry JSON, entries kept. A script, not MULTI: ioredis builds a
 * MULTI by copying every script BullMQ defines on the connection, which costs more than the write. */
const appendScript = luaScript(`
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
return 1
`);

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

export function createAuditLog(ctx: EngineContext, maxEntries: number) {
  const { redis, keys } = ctx;

  async function record(entry: NewAuditEntry): Promise<AuditEntry> {
    const full: AuditEntry = { id: randomUUID(), at: Date.now(), ...entry };
    const key = keys.audit(entry.flowName);
    // Two slots (the flow's list, the set of audited flows), so two calls, sent together.
    await Promise.all([
      appendScript(redis, [key], [JSON.stringify(full), maxEntries]),
      redis.sadd(keys.auditedFlows, entry.flowName),
    ]);
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
