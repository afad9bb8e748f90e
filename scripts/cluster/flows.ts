// Flows for the cluster test, loaded by its workers through FLOWDECK_FLOWS. Five one-step flows
// whose hash tags `{fd:tick-N}` fall on all three masters of a 3-master cluster (slots 1914,
// 14105, 10040, 6111 and 2046), so the load spreads over every node.

import { defineFlow } from '@flowdeck/engine';

export const TICK_FLOWS = ['tick-1', 'tick-2', 'tick-3', 'tick-4', 'tick-5'] as const;

export const tickFlows = TICK_FLOWS.map((name) =>
  defineFlow({
    name,
    description: 'One quick step: the unit of load of the cluster test.',
    steps: { tick: { handler: ({ input }) => ({ input, at: Date.now() }) } },
  }),
);
