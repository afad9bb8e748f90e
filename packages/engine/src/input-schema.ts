import type { FieldError } from '@flowdeck/types';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Flow input is checked against the JSON Schema the worker published, so the API can
 * refuse bad input (422) without importing the flow's code. Compiled validators are
 * cached by schema text.
 */
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
const cache = new Map<string, ValidateFunction>();
/** The same by schema object, so a manifest kept in memory is not serialised on every start. */
const bySchema = new WeakMap<object, ValidateFunction>();

/**
 * Input is stored and sent back as JSON, and JSON.stringify recurses: input nested a few
 * thousand levels deep would overflow the stack (a 500) wherever it is serialised. No real
 * input comes near this depth.
 */
export const MAX_INPUT_DEPTH = 100;

/** Whether `value` nests objects or arrays more than `max` levels deep; iterative, so any depth is safe. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [current, depth] = item;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

export function inputErrors(schema: Record<string, unknown> | null, input: unknown): FieldError[] {
  if (nestedDeeperThan(input, MAX_INPUT_DEPTH)) {
    return [{ path: 'input', message: `is nested more than ${MAX_INPUT_DEPTH} levels deep` }];
  }
  if (!schema) return [];
  let validate = bySchema.get(schema);
  if (!validate) {
    const text = JSON.stringify(schema);
    validate = cache.get(text);
    if (!validate) {
      const { $schema: _ignored, ...rest } = schema;
      validate = ajv.compile(rest);
      cache.set(text, validate);
    }
    bySchema.set(schema, validate);
  }
  if (validate(input)) return [];
  return (validate.errors ?? []).map((error) => {
    const missing = error.keyword === 'required' ? `/${String(error.params.missingProperty)}` : '';
    const pointer = `${error.instancePath}${missing}`;
    const path = ['input', ...pointer.split('/').filter(Boolean)].join('.');
    return { path, message: error.keyword === 'required' ? 'is required' : (error.message ?? 'is invalid') };
  });
}

export function describeInputErrors(flow: string, errors: FieldError[]): string {
  const list = errors.map((e) => `${e.path} ${e.message}`).join('; ');
  return `input does not match the input schema of '${flow}': ${list}`;
}
