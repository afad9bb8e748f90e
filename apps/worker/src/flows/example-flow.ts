import { defineFlow } from '@flowdeck/engine';
import { z } from 'zod';
import { sleep } from './sleep.ts';

/** fetch → (transform, audit in parallel) → store: the flow to try Flowdeck with. */
export const exampleFlow = defineFlow({
  name: 'example-flow',
  description: 'Fetches records, transforms and audits them in parallel, then stores the result.',
  input: z.object({
    source: z.string().max(200).optional(),
    records: z.number().int().min(1).max(1000).optional(),
  }),
  steps: {
    fetch: {
      handler: async ({ input, log, signal }) => {
        const records = input.records ?? 3;
        log('info', `fetching ${records} records from ${input.source ?? 'the demo source'}`);
        await sleep(1000, signal);
        return { records: Array.from({ length: records }, (_, i) => ({ id: i + 1, value: (i + 1) * 10 })) };
      },
    },
    transform: {
      needs: ['fetch'],
      handler: async ({ outputs, log, signal }) => {
        const { records } = outputs.fetch as { records: { id: number; value: number }[] };
        log('info', `transforming ${records.length} records`);
        await sleep(1200, signal);
        return { records: records.map((r) => ({ ...r, value: r.value * 2 })) };
      },
    },
    audit: {
      needs: ['fetch'],
      handler: async ({ outputs, log, signal }) => {
        const { records } = outputs.fetch as { records: unknown[] };
        log('info', 'auditing the fetched records');
        await sleep(1200, signal);
        return { checked: records.length, issues: 0 };
      },
    },
    store: {
      needs: ['transform', 'audit'],
      handler: async ({ outputs, log, signal }) => {
        const { records } = outputs.transform as { records: unknown[] };
        log('info', `storing ${records.length} records`, { audit: outputs.audit });
        await sleep(800, signal);
        return { stored: records.length };
      },
    },
  },
});
