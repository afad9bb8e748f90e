export * from './access.ts';
export * from './common.ts';
export * from './events.ts';
export * from './flows.ts';
export * from './issue-text.ts';
export * from './problem.ts';
export * from './runs.ts';
export * from './schedules.ts';
