import type { AuditList, ListAuditQuery } from '@flowdeck/types';
import type { HandlerInput, Reply } from '../route-builder.ts';

/** GET /api/_audit: who changed what, newest first, by flow and schedule. */
export async function listAudit({
  engine,
  query,
}: HandlerInput<unknown, ListAuditQuery, unknown>): Promise<Reply> {
  const body: AuditList = { items: await engine.audit.list(query) };
  return { body };
}
