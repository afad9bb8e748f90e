/**
 * The only module that spells Redis keys.
 *
 * Every key that belongs to one flow (its BullMQ queue, runs, run index, events,
 * schedules) carries the same hash tag `{<prefix>:<flow>}`, so one flow's multi-key
 * commands and Lua scripts stay in one Redis Cluster slot while different flows spread
 * over the nodes. The few global keys (registry, workers) share the tag `{<prefix>}`.
 */
export interface Keys {
  /** Flow name → published manifest (JSON). */
  flows: string;
  /** Worker id → worker info with its heartbeat (JSON). */
  workers: string;
  /** Schedule ids per flow, for listings across flows. */
  scheduledFlows: string;
  /** BullMQ's `prefix` option for the flow's queue. */
  queuePrefix(flow: string): string;
  run(flow: string, runId: string): string;
  /** Sorted set of the flow's run ids (all score 0; ids sort by creation time). */
  runIndex(flow: string): string;
  /** List of the run's events (JSON), oldest first. */
  runEvents(flow: string, runId: string): string;
  /** Sorted set of runs created but not started yet, scored by creation time (see run-repair.ts). */
  unstartedRuns(flow: string): string;
  idempotency(flow: string, key: string): string;
  /** A hash of the flow's published manifest, in the flow's slot, so run creation can check it. */
  manifestVersion(flow: string): string;
  /** Hash: schedule id → schedule record (JSON). */
  schedules(flow: string): string;
  /** Hash: client jobId → schedule id, for idempotent create. */
  scheduleJobIds(flow: string): string;
  /** Sorted set, every score 0, of `<createdAt base 36>:<id>`: schedules oldest first, for paging. */
  scheduleIndex(flow: string): string;
  /** Hash: schedule id → its version, for compare-and-set edits. */
  scheduleVersions(flow: string): string;
  /** Hash: `<id>:count|fires|lastRun|lastRunId` → the schedule's counters. */
  scheduleStats(flow: string): string;
  /** Sorted set of a schedule's planned fire times, for paging occurrences. */
  occurrenceIndex(flow: string, scheduleId: string): string;
  /** List of the flow's audit entries (JSON), newest first, bounded. */
  audit(flow: string): string;
  /** Set of the flows that have audit entries, for listings across flows. */
  auditedFlows: string;
  /** List of refused requests (audit entries, JSON), newest first, bounded apart from the flows' lists. */
  auditDenied: string;
  /** Counter of one caller's writes in one rate-limit window. */
  rateLimit(subject: string, window: number): string;
}

export function createKeys(prefix: string): Keys {
  const global = `{${prefix}}`;
  const tag = (flow: string) => `{${prefix}:${flow}}`;
  return {
    flows: `${global}:flows`,
    workers: `${global}:workers`,
    scheduledFlows: `${global}:scheduled-flows`,
    queuePrefix: tag,
    run: (flow, runId) => `${tag(flow)}:run:${runId}`,
    runIndex: (flow) => `${tag(flow)}:runs`,
    runEvents: (flow, runId) => `${tag(flow)}:run-events:${runId}`,
    unstartedRuns: (flow) => `${tag(flow)}:unstarted`,
    idempotency: (flow, key) => `${tag(flow)}:idem:${key}`,
    manifestVersion: (flow) => `${tag(flow)}:manifest-version`,
    schedules: (flow) => `${tag(flow)}:schedules`,
    scheduleJobIds: (flow) => `${tag(flow)}:schedule-job-ids`,
    scheduleVersions: (flow) => `${tag(flow)}:schedule-versions`,
    scheduleIndex: (flow) => `${tag(flow)}:schedule-index`,
    scheduleStats: (flow) => `${tag(flow)}:schedule-stats`,
    occurrenceIndex: (flow, scheduleId) => `${tag(flow)}:occurrence-index:${scheduleId}`,
    audit: (flow) => `${tag(flow)}:audit`,
    auditedFlows: `${global}:audited-flows`,
    auditDenied: `${global}:audit-denied`,
    rateLimit: (subject, window) => `${global}:rate:${subject}:${window}`,
  };
}
