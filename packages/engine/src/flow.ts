import { type FlowManifest, FlowName, type LogLevel, type RetryPolicy, StepName } from '@flowdeck/types';
import { z } from 'zod';

export interface StepContext<Input = unknown> {
  input: Input;
  /** Outputs of the steps this step needs, by step name. */
  outputs: Record<string, unknown>;
  runId: string;
  flowName: string;
  stepName: string;
  /** 1 on the first attempt. */
  attempt: number;
  /** Each line becomes a `step.log` event of the run. */
  log(level: LogLevel, message: string, data?: unknown): void;
  /** Aborted when the step times out or the worker shuts down. */
  signal: AbortSignal;
}

export interface StepDefinition<Input = unknown> {
  needs?: string[];
  retry?: { attempts: number; backoff?: { type: 'fixed' | 'exponential'; delayMs: number } };
  timeoutMs?: number;
  handler(ctx: StepContext<Input>): unknown;
}

export interface FlowDefinition<Input = unknown> {
  name: string;
  description: string;
  input?: z.ZodType<Input>;
  steps: Record<string, StepDefinition<Input>>;
}

/** A validated flow: steps in a topological order, with the manifest workers publish. */
export interface DefinedFlow {
  definition: FlowDefinition<unknown>;
  manifest: FlowManifest;
  step(name: string): StepDefinition<unknown>;
  /** Steps that need `name`. */
  dependants(name: string): string[];
}

export const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_RETRY: RetryPolicy = { attempts: 1, backoff: { type: 'exponential', delayMs: 1000 } };

export class FlowDefinitionError extends Error {
  constructor(flow: string, problem: string) {
    super(`flow '${flow}': ${problem}`);
    this.name = 'FlowDefinitionError';
  }
}

/**
 * Declares a flow. The step graph is checked here, when the worker loads it, so an
 * unknown need, a cycle or a bad name fails at start-up rather than mid-run.
 */
export function defineFlow<Input>(definition: FlowDefinition<Input>): DefinedFlow {
  const name = definition.name;
  if (!FlowName.safeParse(name).success) {
    throw new FlowDefinitionError(name, `invalid name; use 1-64 lowercase letters, digits, "-" or "_"`);
  }
  const stepNames = Object.keys(definition.steps);
  if (stepNames.length === 0) throw new FlowDefinitionError(name, 'has no steps');
  for (const stepName of stepNames) {
    if (!StepName.safeParse(stepName).success)
      throw new FlowDefinitionError(name, `invalid step name '${stepName}'`);
    for (const need of definition.steps[stepName]?.needs ?? []) {
      if (!(need in definition.steps)) {
        throw new FlowDefinitionError(name, `step '${stepName}' needs unknown step '${need}'`);
      }
      if (need === stepName) throw new FlowDefinitionError(name, `step '${stepName}' needs itself`);
    }
    const needs = definition.steps[stepName]?.needs ?? [];
    if (new Set(needs).size !== needs.length) {
      throw new FlowDefinitionError(name, `step '${stepName}' lists a need twice`);
    }
  }
  const order = topologicalOrder(name, definition.steps);
  const generic = definition as FlowDefinition<unknown>;
  const manifest: FlowManifest = {
    name,
    description: definition.description,
    queue: name,
    steps: order.map((stepName) => {
      const step = definition.steps[stepName]!;
      return {
        name: stepName,
        needs: step.needs ?? [],
        retry: {
          attempts: step.retry?.attempts ?? DEFAULT_RETRY.attempts,
          backoff: step.retry?.backoff ?? DEFAULT_RETRY.backoff,
        },
        timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
      };
    }),
    entrySteps: order.filter((stepName) => (definition.steps[stepName]?.needs ?? []).length === 0),
    inputSchema: definition.input
      ? (z.toJSONSchema(definition.input, { io: 'input' }) as Record<string, unknown>)
      : null,
  };
  const dependants = new Map(
    order.map((s) => [s, order.filter((o) => definition.steps[o]?.needs?.includes(s))]),
  );
  return {
    definition: generic,
    manifest,
    step: (stepName) => {
      const step = generic.steps[stepName];
      if (!step) throw new FlowDefinitionError(name, `no step '${stepName}'`);
      return step;
    },
    dependants: (stepName) => dependants.get(stepName) ?? [],
  };
}

/** Kahn's algorithm; a leftover step means a cycle, which is reported by name. */
function topologicalOrder(flow: string, steps: Record<string, { needs?: string[] }>): string[] {
  const remaining = new Map(Object.entries(steps).map(([n, s]) => [n, new Set(s.needs ?? [])]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, needs]) => needs.size === 0).map(([n]) => n);
    if (ready.length === 0) {
      throw new FlowDefinitionError(flow, `steps form a cycle: ${[...remaining.keys()].join(', ')}`);
    }
    for (const stepName of ready) {
      remaining.delete(stepName);
      order.push(stepName);
      for (const needs of remaining.values()) needs.delete(stepName);
    }
  }
  return order;
}
