import type { Occurrence, OverlapPolicy, ScheduleMetadata, ScheduleSpec } from '@flowdeck/types';

/** A schedule as Flowdeck's store keeps it; the source of truth its BullMQ trigger follows. */
export interface ScheduleRecord {
  id: string;
  flowName: string;
  /** The flow's entry step when the schedule was made (shown like the seed's `step`). */
  step: string;
  spec: ScheduleSpec;
  /** Anchor of intervals and delays: when the timing was last set. */
  anchor: number;
  /** For one-time schedules: the planned fire time. */
  onceAt: number | null;
  /** Stored status; `completed` is also derived when a recurring schedule has no next fire. */
  status: 'active' | 'paused' | 'completed';
  pausedReason: string | null;
  input: unknown;
  metadata: ScheduleMetadata;
  overlap: OverlapPolicy;
  catchupWindowMs: number | null;
  startDate: string | null;
  endDate: string | null;
  limit: number | null;
  jobId: string | null;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface ScheduleStats {
  /** Runs started by scheduled (not manual) fires and manual ones alike. */
  count: number;
  /** Scheduled fires handled, whatever their outcome; what `limit` counts. */
  fires: number;
  lastRun: number | null;
  lastRunId: string | null;
  /** The latest planned time of a scheduled (not manual) fire that was handled. */
  lastPlanned: number | null;
}

export type NewOccurrence = Occurrence;

export const isRecurring = (record: Pick<ScheduleRecord, 'spec'>) =>
  record.spec.cron !== undefined || record.spec.every !== undefined;
