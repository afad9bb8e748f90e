import { type EngineConfig, EngineEnv, engineConfig, optionalEnv, parseEnv } from '@flowdeck/engine';
import { FlowName } from '@flowdeck/types';
import { z } from 'zod';

/**
 * The worker's settings: the engine's (Redis, prefix, retention, ...) plus which flows it hosts
 * and how it runs them, parsed once from the environment at start-up.
 */

const flowList = optionalEnv.transform((value, context): string[] | undefined => {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = names.filter((name) => !FlowName.safeParse(name).success);
  if (bad.length > 0) {
    context.addIssue({ code: 'custom', message: `not flow names: ${bad.join(', ')}` });
    return z.NEVER;
  }
  return names.length > 0 ? [...new Set(names)] : undefined;
});

const WorkerEnv = EngineEnv.extend({
  FLOWDECK_FLOWS: z.string().optional(),
  FLOWDECK_EXAMPLES: z.enum(['on', 'off']).default('on'),
  FLOWDECK_WORKER_FLOWS: flowList,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  FLOWDECK_STALL_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  FLOWDECK_CHECK_INTERVAL_MS: z.coerce
    .number()
    .int()
    .refine((ms) => ms === 0 || ms >= 1000, 'expected 0 (off) or at least 1000')
    .default(60_000),
});

export interface WorkerSettings extends EngineConfig {
  /** A module or folder of the operator's flows. */
  flowsModule: string | undefined;
  /** Whether the example flows are hosted too. */
  examples: boolean;
  /** The flows this worker hosts, by name; undefined: every flow it loads. */
  workerFlows: string[] | undefined;
  concurrency: number;
  /** How soon a job of a worker that died (kill -9, lost host) is handed to another worker. */
  stallTimeoutMs: number;
  /** How often the worker checks for schedules that lost their next fire and runs never enqueued; 0: never. */
  checkIntervalMs: number;
}

/** The worker's settings from `env`; throws "Invalid configuration: ..." naming each bad variable. */
export function loadWorkerSettings(env: Record<string, string | undefined>): WorkerSettings {
  const e = parseEnv(WorkerEnv, env);
  return {
    ...engineConfig(e),
    flowsModule: e.FLOWDECK_FLOWS,
    examples: e.FLOWDECK_EXAMPLES === 'on',
    workerFlows: e.FLOWDECK_WORKER_FLOWS,
    concurrency: e.WORKER_CONCURRENCY,
    stallTimeoutMs: e.FLOWDECK_STALL_TIMEOUT_MS,
    checkIntervalMs: e.FLOWDECK_CHECK_INTERVAL_MS,
  };
}
