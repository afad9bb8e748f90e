import { defineFlow } from '@flowdeck/engine';

/** The soak's flow: three short steps in a row, each passing a little data to the next. */
export const soakFlow = defineFlow({
  name: 'soak-flow',
  description: 'Three steps in a row, for the soak test.',
  steps: {
    fetch: { handler: () => ({ records: [1, 2, 3] }) },
    transform: {
      needs: ['fetch'],
      handler: ({ outputs }) => ({
        records: (outputs.fetch as { records: number[] }).records.map((n) => n * 2),
      }),
    },
    store: {
      needs: ['transform'],
      handler: ({ outputs }) => ({ stored: (outputs.transform as { records: number[] }).records.length }),
    },
  },
});
