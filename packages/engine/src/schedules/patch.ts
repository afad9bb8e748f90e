import type { UpdateScheduleRequest } from '@flowdeck/types';
import { ConflictError, InvalidRequestError } from '../errors.ts';
import type { ScheduleRecord } from './record.ts';
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

export function applyPatch(
  record: ScheduleRecord,
  patch: UpdateScheduleRequest,
  now: number,
): ScheduleRecord {
  const specChanged =
    patch.cron !== undefined ||
    patch.every !== undefined ||
    patch.delay !== undefined ||
    patch.at !== undefined;
  let spec = record.spec;
  if (specChanged) {
    spec = specOf(patch);
  } else if (patch.tz !== undefined) {
    if (record.spec.cron === undefined)
      throw new InvalidRequestError('tz: applies to cron schedules only', [
        { path: 'body.tz', message: 'applies to cron schedules only' },
      ]);
    spec = { ...record.spec, tz: patch.tz };
  }
  const timingChanged = specChanged || patch.tz !== undefined || patch.startDate !== undefined;
  const anchor = timingChanged ? now : record.anchor;
  const timing = timingOf(spec, anchor);
  const windowChanged = patch.endDate !== undefined || patch.limit !== undefined;
  const rearm = record.status === 'completed' && (timingChanged || windowChanged);
  return {
    ...record,
    spec,
    anchor,
    onceAt: timing.kind === 'once' ? timing.at : null,
    status: rearm ? 'active' : record.status,
    input: patch.input !== undefined ? patch.input : record.input,
    metadata: patch.metadata !== undefined ? { ...record.metadata, ...patch.metadata } : record.metadata,
    overlap: patch.overlap ?? record.overlap,
    catchupWindowMs: patch.catchupWindowMs ?? record.catchupWindowMs,
    startDate: patch.startDate ?? record.startDate,
    endDate: patch.endDate ?? record.endDate,
    limit: patch.limit ?? record.limit,
    version: record.version + 1,
    updatedAt: now,
  };
}
