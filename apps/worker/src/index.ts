/** The worker's example flows, for tests that run a worker in-process. */
export { cleanupFlow } from './flows/cleanup-flow.ts';
export { exampleFlow } from './flows/example-flow.ts';
export { flakyFlow } from './flows/flaky-flow.ts';
export { exampleFlows } from './flows/index.ts';
