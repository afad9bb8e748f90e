import type { FieldError, Problem } from '@flowdeck/types';

/**
 * A failed call. `problem` is the server's RFC 9457 body when it sent one, so callers branch
 * on `code` and show people the server's own `detail` and field `errors`. Calls that never
 * got an answer have status 0 and code `network_error`.
 */
export class FlowdeckApiError extends Error {
  override readonly name = 'FlowdeckApiError';

  constructor(
    message: string,
    readonly status: number,
    readonly problem: Problem | null = null,
    /** The server's id of the request (`x-request-id`), to find it in the server's logs. */
    readonly requestId: string | null = null,
    private readonly fallbackCode = 'http_error',
  ) {
    super(message);
  }

  /** The server's stable code (`flow_not_found`, `invalid_request`, ...) or one of ours. */
  get code(): string {
    return this.problem?.code ?? this.fallbackCode;
  }

  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }
}

export function networkError(url: string, cause: unknown): FlowdeckApiError {
  const reason = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return new FlowdeckApiError(
    `Cannot reach the Flowdeck API at ${url}${reason}. Check that it is running.`,
    0,
    null,
    null,
    'network_error',
  );
}
