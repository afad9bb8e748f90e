/** How run values are written to and read from the run hash and its events: JSON, with an empty
 * field read as undefined. */

type EventBody = Record<string, unknown> & { type: string };

export const json = (value: unknown) => JSON.stringify(value ?? null);

export const event = (body: EventBody) => JSON.stringify({ at: Date.now(), ...body });

export function parse(raw: string | null | undefined): unknown {
  if (raw === null || raw === undefined || raw === '') return undefined;
  return JSON.parse(raw);
}

export const num = (raw: string | undefined) => (raw === undefined || raw === '' ? null : Number(raw));
