import type { ErrorInfo } from '@flowdeck/types';

/** How a running handler is stopped (a timeout, the worker's shutdown) and how its failure is told. */

export class StepTimeoutError extends Error {
  constructor(ms: number) {
    super(`step timed out after ${ms} ms`);
    this.name = 'StepTimeoutError';
  }
}

/** Thrown into a handler's signal when the worker stops; the job is left to be recovered. */
export class WorkerShutdownError extends Error {
  constructor() {
    super('worker is shutting down');
    this.name = 'WorkerShutdownError';
  }
}

/** Thrown into a handler's signal when its run is canceled; what the handler returns is ignored. */
export class RunCancelledError extends Error {
  constructor(runId: string) {
    super(`run ${runId} was canceled`);
    this.name = 'RunCancelledError';
  }
}

/**
 * A running handler's abort: its signal is made only when the handler reads `context.signal`
 * (most never do, and an AbortController per step was a measurable share of a no-op step).
 */
export class StepAbort {
  reason: unknown;
  private controller: AbortController | undefined;
  private listener: ((reason: unknown) => void) | undefined;

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.reason !== undefined && !this.controller.signal.aborted) this.controller.abort(this.reason);
    return this.controller.signal;
  }

  abort(reason: unknown) {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller?.abort(reason);
    this.listener?.(reason);
  }

  /** Called once, with the reason, when the step is aborted. */
  onAbort(listener: (reason: unknown) => void) {
    this.listener = listener;
  }
}

/** Runs the handler until it settles or `abort` fires (after `ms` at the latest). */
export function withTimeout<T>(run: () => T | Promise<T>, ms: number, abort: StepAbort): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => abort.abort(new StepTimeoutError(ms)), ms);
    abort.onAbort(reject);
    Promise.resolve()
      .then(run)
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

/** The delay BullMQ waits before the next attempt, for the `step.retry` event. */
export function backoffDelay(backoff: { type: 'fixed' | 'exponential'; delayMs: number }, attempt: number) {
  return backoff.type === 'fixed' ? backoff.delayMs : Math.round(2 ** (attempt - 1) * backoff.delayMs);
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) return { message: error.message || error.name, name: error.name };
  return { message: String(error) };
}
