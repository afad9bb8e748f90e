import { createFlowdeckClient, FlowdeckApiError } from '@flowdeck/client';
import { session } from '../features/auth/session.ts';

/** The console's one API client (`@flowdeck/client`), on the API that serves the page, with the tab's token. */
export const api = createFlowdeckClient({ token: session.token });

/** The message to show a person for any error the console meets. */
export function errorMessage(error: unknown): string {
  if (error instanceof FlowdeckApiError) {
    // The detail usually names the fields already; add only what it leaves out.
    const extra = error.fieldErrors
      .filter((field) => !error.message.includes(field.message))
      .map((field) => `${field.path}: ${field.message}`);
    return extra.length > 0 ? `${error.message} (${extra.join('; ')})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
