import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../api/query-keys.ts';
import { session } from './session.ts';

/**
 * Forgets the token and everything loaded with it, then asks the API again who is calling:
 * the console falls back to the sign-in page.
 */
export function signOut(queryClient: QueryClient, options: { expired?: boolean } = {}): void {
  session.signOut(options);
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.whoami[0] });
  void queryClient.resetQueries({ queryKey: queryKeys.whoami });
}
