export type { Engine, EngineHealth, StartFlowOptions } from './api.ts';
export type { NewAuditEntry } from './audit.ts';
export {
  type EngineConfig,
  EngineEnv,
  engineConfig,
  invalidConfig,
  loadConfig,
  optionalEnv,
  parseEnv,
  type RetentionConfig,
} from './config.ts';
export { connectionOf, createEngine, type EngineOptions, type RedisTarget } from './engine.ts';
export * from './errors.ts';
export {
  type DefinedFlow,
  defineFlow,
  type FlowDefinition,
  FlowDefinitionError,
  type StepContext,
  type StepDefinition,
} from './flow.ts';
export { createLogger, type Logger, silentLogger } from './logger.ts';
export type { RateLimitResult } from './rate-limit.ts';
export {
  describeConnection,
  fromUrl,
  type RedisClient,
  type RedisConnectionSpec,
  type RedisNode,
} from './redis.ts';
export { startWorker, type WorkerHandle, type WorkerOptions } from './worker.ts';
