import type { Job } from 'bullmq';
import type { Engine } from '../api.ts';
import type { EngineContext } from '../context.ts';
import type { ScheduledStartMarker } from '../jobs.ts';
import type { Queues } from '../queues.ts';
import type { Registry } from '../registry.ts';
import type { RunStore } from '../runs.ts';
import type { StartFlow } from '../start-flow.ts';

export interface ScheduleDeps {
  registry: Registry;
  runs: RunStore;
  queues: Queues;
  startFlow: StartFlow;
}

const notYet = () => Promise.reject(new Error('scheduling is not available yet'));

export function createScheduleService(_ctx: EngineContext, _deps: ScheduleDeps) {
  const api: Engine['schedules'] = {
    create: notYet,
    preview: notYet,
    list: notYet,
    listAll: notYet,
    get: notYet,
    update: notYet,
    pause: notYet,
    resume: notYet,
    trigger: notYet,
    remove: notYet,
  };
  return {
    api,
    async reconcile(_flows: string[]) {},
    async fire(_job: Job, _marker: ScheduledStartMarker) {
      return { started: false };
    },
  };
}
