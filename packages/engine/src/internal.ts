/**
 * Engine internals for the repository's own benchmarks (bench/) and fault and cluster tests
 * (test/faults/, scripts/cluster/), which read and build what Redis holds below the public API.
 * Not a public API: it may change with any commit; applications import `@flowdeck/engine`.
 */
export { createEngineParts, type EngineParts } from './engine.ts';
export { createKeys, type Keys } from './keys.ts';
export { decodeOccurrence } from './occurrences/format.ts';
export { triggerOf } from './run-trigger.ts';
export { createScheduleStore } from './schedules/store.ts';
