import type { ListSchedulesQuery, Schedule } from '@flowdeck/types';
import { InvalidRequestError } from '../errors.ts';
import type { Registry } from '../registry.ts';
import type { ScheduleRecord } from './record.ts';
import { indexEntry, SCHEDULE_CURSOR } from './store.ts';
import { type ViewDeps, views } from './view.ts';

/**
 * Lists of schedules: one flow's (whole, or a page at a time in the order of the store's index)
 * and every flow's (flows by name). A filtered page of every flow's schedules stops after looking
 * at a bounded number of them, so a filter that matches little still answers quickly; its cursor
 * goes on from the last schedule looked at.
 */

export interface PageDeps extends ViewDeps {
  registry: Pick<Registry, 'manifest'>;
}

export interface SchedulePage {
  items: Schedule[];
  nextCursor: string | null;
}

/** A page of every flow's schedules ends after its last schedule: `<flow>:<index entry>`. */
const ALL_SCHEDULES_CURSOR = /^([a-z0-9][a-z0-9_-]{0,63}):([0-9a-z]{9}:sch_[0-9a-z]{1,40})$/;
/** Schedules a filtered page looks at before it answers with what it found, so it stays quick. */
const LOOKED_AT_PER_PAGE = 2000;

function badCursor(): never {
  const message = 'expected the cursor of a previous page';
  throw new InvalidRequestError(`cursor: ${message}`, [{ path: 'query.cursor', message }]);
}

/** Whether a schedule passes a list's tag and status filters. */
export const matching = (query: Pick<ListSchedulesQuery, 'tag' | 'status'>) => (schedule: Schedule) =>
  (query.tag === undefined || (schedule.metadata.tags ?? []).includes(query.tag)) &&
  (query.status === undefined || schedule.status === query.status);

/** Every schedule of one flow (a 404 for a flow never published), oldest first. */
export async function listFlow(deps: PageDeps, flowName: string) {
  await deps.registry.manifest(flowName);
  return views(deps, flowName, await deps.store.all(flowName));
}

/** One page of a flow's schedules, oldest first; `cursor` is a previous page's `nextCursor`. */
export async function pageFlow(
  deps: PageDeps,
  flowName: string,
  query: { limit: number; cursor?: string },
): Promise<SchedulePage> {
  await deps.registry.manifest(flowName);
  if (query.cursor !== undefined && !SCHEDULE_CURSOR.test(query.cursor)) badCursor();
  const { records, nextCursor } = await deps.store.page(flowName, query);
  return { items: await views(deps, flowName, records), nextCursor };
}

/** Every flow's schedules (or one flow's, unchecked), filtered by tag and status. */
export async function listAll(deps: ViewDeps, query: ListSchedulesQuery) {
  const flows = query.flowName ? [query.flowName] : await deps.store.flowsWithSchedules();
  const all = (
    await Promise.all(flows.map(async (flow) => views(deps, flow, await deps.store.all(flow))))
  ).flat();
  return all.filter(matching(query));
}

/** Where a page of every flow's schedules starts: after `entry` of `flow`, or at the first flow. */
function startOf(cursor: string | undefined) {
  const from = cursor === undefined ? undefined : ALL_SCHEDULES_CURSOR.exec(cursor);
  if (from === null) badCursor();
  const [, flow = '', entry] = from ?? [];
  return { flow, entry };
}

/**
 * One page of every flow's schedules, flows by name and each flow's oldest first. A page ends once
 * it holds `limit` matches or has looked at LOOKED_AT_PER_PAGE schedules; its cursor names the last
 * schedule looked at (null when that was the last of all).
 */
export async function pageAll(
  deps: ViewDeps,
  query: ListSchedulesQuery & { limit: number },
): Promise<SchedulePage> {
  const from = startOf(query.cursor);
  const all = query.flowName ? [query.flowName] : await deps.store.flowsWithSchedules();
  const flows = all.filter((flow) => flow >= from.flow);
  const matches = matching(query);
  const items: Schedule[] = [];
  let looked = 0;
  for (const flow of flows) {
    let cursor = flow === from.flow ? from.entry : undefined;
    do {
      const page = await deps.store.page(flow, { limit: query.limit, cursor });
      const schedules = await views(deps, flow, page.records);
      for (const [i, schedule] of schedules.entries()) {
        looked++;
        if (matches(schedule)) items.push(schedule);
        if (items.length < query.limit && looked < LOOKED_AT_PER_PAGE) continue;
        const more = i < schedules.length - 1 || page.nextCursor !== null || flow !== flows.at(-1);
        return { items, nextCursor: more ? cursorAfter(flow, page.records[i]!) : null };
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return { items, nextCursor: null };
}

const cursorAfter = (flow: string, record: ScheduleRecord) => `${flow}:${indexEntry(record)}`;
