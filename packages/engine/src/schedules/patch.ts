import {
  type ScheduleMetadata,
  type ScheduleMetadataPatch,
  type ScheduleSpec,
  specKinds,
  type UpdateScheduleRequest,
} from '@flowdeck/types';
import { ConflictError, InvalidRequestError } from '../errors.ts';
import { isRecurring, type ScheduleRecord } from './record.ts';
import { specOf, timingOf } from './spec.ts';

/** How an edit (PATCH) changes a stored schedule, and the If-Match check before it. */

/** `If-Match` takes the version (as returned) or updatedAt, bare or quoted like an ETag. */
export function assertMatches(record: ScheduleRecord, ifMatch: string) {
  const tag = ifMatch.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  if (tag === '*' || tag === String(record.version) || tag === String(record.updatedAt)) return;
  throw new ConflictError(
    'version_conflict',
    `schedule '${record.id}' is at version ${record.version}, not ${tag}; reload it and apply your change again`,
  );
}

/** A merge-patch field: left out keeps `current`, `null` clears it, a value replaces it. */
function merged<T>(value: T | null | undefined, current: T | null): T | null {
  return value === undefined ? current : value;
}

/** Metadata merged field by field; a field set to `null` is removed. */
function mergedMetadata(
  current: ScheduleMetadata,
  patch: ScheduleMetadataPatch | undefined,
): ScheduleMetadata {
  if (patch === undefined) return current;
  const next: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next as ScheduleMetadata;
}

function nextSpec(record: ScheduleRecord, patch: UpdateScheduleRequest): ScheduleSpec {
  if (specKinds(patch).length > 0) return specOf(patch);
  if (patch.tz === undefined) return record.spec;
  if (record.spec.cron === undefined) invalid('tz', 'applies to cron schedules only');
  return { ...record.spec, tz: patch.tz };
}

function invalid(field: string, message: string): never {
  throw new InvalidRequestError(`${field}: ${message}`, [{ path: `body.${field}`, message }]);
}

/**
 * The schedule after an edit, or `record` itself when the edit changes nothing (so writing back
 * what was read, or an empty edit, makes no new version). The timing is re-anchored only when it
 * really changes: an interval written back unchanged keeps its rhythm.
 */
export function applyPatch(
  record: ScheduleRecord,
  patch: UpdateScheduleRequest,
  now: number,
): ScheduleRecord {
  const spec = nextSpec(record, patch);
  const startDate = merged(patch.startDate, record.startDate);
  const endDate = merged(patch.endDate, record.endDate);
  const limit = merged(patch.limit, record.limit);
  if (!isRecurring({ spec })) {
    for (const [field, value] of [
      ['startDate', startDate],
      ['endDate', endDate],
    ] as const) {
      if (value !== null) invalid(field, 'applies to cron and every schedules only; send null to clear it');
    }
  }
  const timingChanged = !sameJson(spec, record.spec) || startDate !== record.startDate;
  const windowChanged = endDate !== record.endDate || limit !== record.limit;
  const anchor = timingChanged ? now : record.anchor;
  const timing = timingOf(spec, anchor);
  const rearm = record.status === 'completed' && (timingChanged || windowChanged);
  const next: ScheduleRecord = {
    ...record,
    spec,
    anchor,
    onceAt: timing.kind === 'once' ? timing.at : null,
    status: rearm ? 'active' : record.status,
    input: patch.input !== undefined ? patch.input : record.input,
    metadata: mergedMetadata(record.metadata, patch.metadata),
    overlap: patch.overlap ?? record.overlap,
    catchupWindowMs: merged(patch.catchupWindowMs, record.catchupWindowMs),
    startDate,
    endDate,
    limit,
  };
  if (sameJson(next, record)) return record;
  return { ...next, version: record.version + 1, updatedAt: now };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
