/**
 * What every list command prints with `--json`: `{ items, nextCursor }`, one shape for scripts
 * whether the list is paged or not. `nextCursor` is null at the end; otherwise `--cursor` with
 * it prints the next page.
 */
export function listJson(items: unknown[], nextCursor: string | null = null): string {
  return JSON.stringify({ items, nextCursor }, null, 2);
}

/** The stderr line saying a table is one page of more. */
export function moreHint(what: string, nextCursor: string): string {
  return `More ${what} follow: add --cursor ${nextCursor} for the next page.`;
}
