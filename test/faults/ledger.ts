import { decodeOccurrence, triggerOf } from '@flowdeck/engine/internal';
import { type FaultStack, FLOW, STALL_TIMEOUT_MS, waitUntil } from './harness.ts';

/**
 * Reads what Flowdeck recorded — every run of the flow and every occurrence of the given
 * schedules — straight from Redis, and audits it against the fires that were planned:
 * each planned fire has exactly one occurrence, a started one has its run, no planned fire
 * has two runs, and every run has finished.
 */

const TERMINAL = new Set(['completed', 'failed', 'canceled']);

export interface RunRow {
  id: string;
  status: string;
  scheduleId: string | null;
  scheduledFor: number | null;
}

export interface OccurrenceRow {
  scheduledFor: number;
  firedAt: number;
  outcome: string;
  runId?: string;
  manual?: boolean;
}

export interface Ledger {
  runs: RunRow[];
  occurrences: Map<string, Map<number, OccurrenceRow>>;
}

export async function readLedger(stack: FaultStack, scheduleIds: string[]): Promise<Ledger> {
  const { client, keys } = stack;
  const ids = await client.zrange(keys.runIndex(FLOW), '0', '-1');
  const runs: RunRow[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const pipeline = client.pipeline();
    for (const id of chunk)
      pipeline.hmget(keys.run(FLOW, id), 'status', 'trigger', 'scheduleId', 'scheduledFor');
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, value], j) => {
      if (error) throw error;
      const [status, trigger, scheduleId, scheduledFor] = value as (string | null)[];
      const parsed = triggerOf({ trigger, scheduleId, scheduledFor });
      runs.push({
        id: chunk[j]!,
        status: status ?? 'missing',
        scheduleId: parsed.scheduleId ?? null,
        scheduledFor: parsed.scheduledFor ?? null,
      });
    });
  }
  const occurrences = new Map<string, Map<number, OccurrenceRow>>();
  const pipeline = client.pipeline();
  for (const id of scheduleIds) pipeline.zrange(keys.occurrenceIndex(FLOW, id), '0', '-1');
  const replies = (await pipeline.exec()) ?? [];
  scheduleIds.forEach((id, i) => {
    const [error, members] = replies[i]!;
    if (error) throw error;
    const byTime = new Map<number, OccurrenceRow>();
    for (const member of members as string[]) {
      const occurrence = decodeOccurrence(member);
      if (occurrence) byTime.set(occurrence.scheduledFor, occurrence);
    }
    occurrences.set(id, byTime);
  });
  return { runs, occurrences };
}

export interface Audit {
  planned: number;
  started: number;
  missedCatchup: number;
  /** Planned fires with no occurrence at all: silently skipped. */
  unaccounted: string[];
  /** Occurrences with another outcome (skipped, failed): none are expected here. */
  otherOutcomes: string[];
  /** Started occurrences whose run does not exist or belongs to another fire. */
  brokenLinks: string[];
  /** Planned fires (schedule@time) with more than one run. */
  duplicates: string[];
  /** Runs of the audited fires not yet completed, failed or canceled. */
  unfinished: string[];
  failedRuns: number;
  completedRuns: number;
  /** Fire lag (handled − planned) of the started fires, sorted. */
  lags: number[];
}

/** Audits the fires each schedule planned for every whole second in [from, to). */
export function auditEverySecond(ledger: Ledger, scheduleIds: string[], from: number, to: number): Audit {
  const audit: Audit = {
    planned: 0,
    started: 0,
    missedCatchup: 0,
    unaccounted: [],
    otherOutcomes: [],
    brokenLinks: [],
    duplicates: [],
    unfinished: [],
    failedRuns: 0,
    completedRuns: 0,
    lags: [],
  };
  const runsById = new Map(ledger.runs.map((r) => [r.id, r]));
  const runsPerFire = new Map<string, number>();
  for (const run of ledger.runs) {
    if (run.scheduleId === null) continue;
    const fire = `${run.scheduleId}@${run.scheduledFor}`;
    runsPerFire.set(fire, (runsPerFire.get(fire) ?? 0) + 1);
  }
  for (const id of scheduleIds) {
    const occurrences = ledger.occurrences.get(id) ?? new Map();
    for (let t = from; t < to; t += 1000) {
      audit.planned++;
      const fire = `${id}@${t}`;
      const occurrence = occurrences.get(t);
      if (!occurrence) {
        audit.unaccounted.push(fire);
        continue;
      }
      if (occurrence.outcome === 'started') {
        audit.started++;
        audit.lags.push(occurrence.firedAt - t);
        const run = occurrence.runId ? runsById.get(occurrence.runId) : undefined;
        if (!run || run.scheduleId !== id || run.scheduledFor !== t) audit.brokenLinks.push(fire);
      } else if (occurrence.outcome === 'missed-catchup') {
        audit.missedCatchup++;
      } else {
        audit.otherOutcomes.push(`${fire} ${occurrence.outcome}`);
      }
    }
  }
  for (const [fire, count] of runsPerFire) if (count > 1) audit.duplicates.push(`${fire} ×${count}`);
  const audited = new Set(scheduleIds);
  for (const run of ledger.runs) {
    // Schedules go on firing after the window; their newest runs may still be going.
    const inWindow =
      run.scheduleId !== null &&
      audited.has(run.scheduleId) &&
      run.scheduledFor! >= from &&
      run.scheduledFor! < to;
    if (!inWindow) continue;
    if (!TERMINAL.has(run.status)) audit.unfinished.push(`${run.id} ${run.status}`);
    if (run.status === 'failed') audit.failedRuns++;
    if (run.status === 'completed') audit.completedRuns++;
  }
  audit.lags.sort((a, b) => a - b);
  return audit;
}

/** Whether the fires are all accounted for and every run has finished: time to check. */
export const settled = (audit: Audit) => audit.unaccounted.length === 0 && audit.unfinished.length === 0;

const at = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? '-';

export function describeAudit(audit: Audit): string {
  const sample = (list: string[]) =>
    list.length === 0 ? '0' : `${list.length} (${list.slice(0, 5).join(', ')})`;
  return [
    `planned fires ${audit.planned}`,
    `started ${audit.started}`,
    `missed per catch-up ${audit.missedCatchup}`,
    `unaccounted ${sample(audit.unaccounted)}`,
    `other outcomes ${sample(audit.otherOutcomes)}`,
    `started without their run ${sample(audit.brokenLinks)}`,
    `fires with two runs ${sample(audit.duplicates)}`,
    `runs not finished ${sample(audit.unfinished)}`,
    `runs completed ${audit.completedRuns}, failed ${audit.failedRuns}`,
    `fire lag of the started p50 ${at(audit.lags, 0.5)} ms, p99 ${at(audit.lags, 0.99)} ms, max ${audit.lags.at(-1) ?? '-'} ms`,
  ].join('; ');
}

/**
 * Audits the window once every fire is accounted for and every run has finished, or when
 * waiting longer is pointless (steps of killed workers are taken over after the stall
 * timeout); the caller judges what the audit shows.
 */
export async function auditWhenSettled(
  stack: FaultStack,
  ids: string[],
  from: number,
  to: number,
): Promise<Audit> {
  let audit = auditEverySecond(await readLedger(stack, ids), ids, from, to);
  await waitUntil(
    'every fire is accounted for and every run finished',
    async () => {
      audit = auditEverySecond(await readLedger(stack, ids), ids, from, to);
      return settled(audit);
    },
    STALL_TIMEOUT_MS * 6 + 60_000,
  ).catch(() => {});
  return audit;
}
