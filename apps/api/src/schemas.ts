import { z } from 'zod';

/**
 * Path and query parameters that only the API reads. Request and response bodies live in
 * `@flowdeck/types`; these never cross the wire as JSON.
 */

const Id = z.string().min(1).max(200);

export const FlowParams = z.object({ name: z.string() });
export const RunParams = FlowParams.extend({ runId: Id });
export const ScheduleParams = FlowParams.extend({ id: Id });

/** An event id, as sent in `id:` lines and given back in `Last-Event-ID` or `?after=`: the event's
 * position in its run's list of events (from 1; 0 for before the first). */
export const EventId = z.string().regex(/^\d{1,9}$/, 'expected an event id: the number of an event, like 12');

export const RunEventsQuery = z.object({ after: EventId.optional() });

export const PreviewQuery = z.object({ count: z.coerce.number().int().min(1).max(50).default(5) });

export const ScheduleDetailQuery = z.object({ cursor: z.string().max(200).optional() });

/** Without `limit`, every schedule of the flow (as before); with it, one page, oldest first. */
export const ScheduleListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(200).optional(),
});

export const EventStreamHeaders = z.object({ 'last-event-id': EventId.optional() });

export type FlowParams = z.infer<typeof FlowParams>;
export type RunParams = z.infer<typeof RunParams>;
export type ScheduleParams = z.infer<typeof ScheduleParams>;
export type RunEventsQuery = z.infer<typeof RunEventsQuery>;
export type PreviewQuery = z.infer<typeof PreviewQuery>;
export type ScheduleDetailQuery = z.infer<typeof ScheduleDetailQuery>;
export type ScheduleListQuery = z.infer<typeof ScheduleListQuery>;

/** The OpenAPI document, as far as its own route's schema goes: a JSON object. */
export const OpenApiDocument = z.record(z.string(), z.unknown());
