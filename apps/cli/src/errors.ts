import { FlowdeckApiError } from '@flowdeck/client';
import { EXIT, type ExitCode } from './exit-codes.ts';

/** The exit code of a failed call: auth, refused, or worth retrying. */
export function exitCodeOf(error: FlowdeckApiError): ExitCode {
  if (error.status === 401 || error.status === 403) return EXIT.unauthorized;
  if (error.status === 0 || error.status === 429 || error.status >= 500) return EXIT.unavailable;
  return EXIT.refused;
}

/** The server's message, each field error on its own line, and hints for auth failures. */
export function describeApiError(error: FlowdeckApiError): string {
  const lines = [`error: ${error.message}`];
  for (const field of error.fieldErrors) {
    if (!error.message.includes(field.message)) lines.push(`  ${field.path}: ${field.message}`);
  }
  if (error.status === 401) lines.push('hint: pass a token with --token or FLOWDECK_TOKEN');
  if (error.status === 429) {
    lines.push('hint: too many writes with this token; wait and try again');
  }
  if (error.requestId) lines.push(`(request id ${error.requestId})`);
  return lines.join('\n');
}

export { FlowdeckApiError };
