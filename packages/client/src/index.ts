export { type CallOptions, createFlowdeckClient, type FlowdeckClient, type StartOptions } from './client.ts';
export { FlowdeckApiError } from './errors.ts';
export type { ClientOptions } from './http.ts';
export { type FollowOptions, parseRunEvent, type StreamState } from './run-events.ts';
export { readSse, type SseMessage } from './sse.ts';
