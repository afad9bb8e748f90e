import { cleanupFlow } from './cleanup-flow.ts';
import { exampleFlow } from './example-flow.ts';
import { flakyFlow } from './flaky-flow.ts';

/** The flows every worker hosts unless FLOWDECK_EXAMPLES=off. */
export const exampleFlows = [exampleFlow, cleanupFlow, flakyFlow];
