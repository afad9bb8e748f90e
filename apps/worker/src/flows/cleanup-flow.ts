import { defineFlow } from '@flowdeck/engine';
import { z } from 'zod';
import { sleep } from './sleep.ts';

/** One step with a validated input: shows input schemas in the console and the API. */
export const cleanupFlow = defineFlow({
  name: 'cleanup-flow',
  description: 'Deletes data older than the given number of days.',
  input: z.object({ retentionDays: z.number().int().min(1).max(365) }),
  steps: {
    cleanup: {
      handler: async ({ input, log, signal }) => {
        log('info', `removing data older than ${input.retentionDays} days`);
        await sleep(500, signal);
        return { removed: 0, retentionDays: input.retentionDays };
      },
    },
  },
});
