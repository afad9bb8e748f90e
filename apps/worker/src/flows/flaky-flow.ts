import { defineFlow } from '@flowdeck/engine';
import { z } from 'zod';

/** Shows retries: `unreliable` fails its first two attempts; `failForGood` makes it never succeed. */
export const flakyFlow = defineFlow({
  name: 'flaky-flow',
  description: 'A step that fails twice before it succeeds (or always, with failForGood).',
  input: z.object({ failForGood: z.boolean().optional() }),
  steps: {
    prepare: {
      handler: ({ log }) => {
        log('info', 'preparing');
        return { ready: true };
      },
    },
    unreliable: {
      needs: ['prepare'],
      retry: { attempts: 3, backoff: { type: 'fixed', delayMs: 200 } },
      handler: ({ input, attempt, log }) => {
        if (input.failForGood) throw new Error('the remote service refused the request');
        if (attempt < 3) throw new Error(`transient failure on attempt ${attempt}`);
        log('info', `succeeded on attempt ${attempt}`);
        return { attempt };
      },
    },
    store: { needs: ['unreliable'], handler: () => ({ stored: true }) },
  },
});
