import type { Engine } from '@flowdeck/engine';
import { Schedule } from '@flowdeck/types';

/** A schedule as it is now, for the `before` of an audit entry (404 when it does not exist). */
export async function scheduleSnapshot(engine: Engine, flowName: string, id: string): Promise<Schedule> {
  return Schedule.parse(await engine.schedules.get(flowName, id));
}
