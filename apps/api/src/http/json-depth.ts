import { FlowdeckError } from '@flowdeck/engine';

/** Deeper than any real request body; flow input itself is held to 100 levels by the engine. */
export const MAX_JSON_DEPTH = 128;

export class JsonTooDeepError extends FlowdeckError {
  constructor() {
    super(
      400,
      'json_too_deep',
      `the request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`,
    );
  }
}

/**
 * Refuses a body that nests deeper than MAX_JSON_DEPTH before it is parsed: one pass over
 * the bytes counting brackets outside strings. Used as express.json's `verify`.
 */
export function checkJsonDepth(_req: unknown, _res: unknown, body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i += 1) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) throw new JsonTooDeepError();
    } else if (byte === 0x5d || byte === 0x7d) depth -= 1;
  }
}
