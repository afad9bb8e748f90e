import { decodeOccurrence as decode } from '../occurrences/format.ts';

/**
 * The occurrence format lives in occurrences/format.ts; this module keeps its old import path for
 * code outside the engine's source that still reads it from here (test/faults/ledger.ts).
 */
export { occurrenceMemberPrefix, plannedTimeOf } from '../occurrences/format.ts';

/** See occurrences/format.ts. A second argument is ignored: it held the JSON of a fire recorded in
 * a format no released version wrote. */
export const decodeOccurrence = (member: string, _ignored?: unknown) => decode(member);
