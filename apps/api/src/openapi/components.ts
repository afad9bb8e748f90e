import * as wire from '@flowdeck/types';
import { z } from 'zod';

/**
 * The shared wire schemas as OpenAPI components, converted by zod's own `z.toJSONSchema`.
 *
 * A schema reads differently as a request (input: defaults make a field optional, coerced
 * query values) than as a response (output: every field present, no unknown fields). Both
 * readings are made; a schema whose readings agree is one component, `Name`, and one whose
 * readings differ is two: `Name` for responses and `NameInput` for requests.
 */

type JsonSchema = Record<string, unknown>;

const REF = '#/components/schemas/';
const INPUT_SUFFIX = 'Input';

/** Every schema `@flowdeck/types` exports, named as exported; the first name of an alias wins. */
function wireRegistry() {
  const registry = z.registry<{ id: string }>();
  for (const [name, value] of Object.entries(wire)) {
    if (value instanceof z.ZodType && !registry.has(value)) registry.add(value, { id: name });
  }
  return registry;
}

export interface Components {
  /** `$ref` to a wire schema's component, or null when the schema is not a named wire schema. */
  ref(schema: z.ZodType, io: 'input' | 'output'): { $ref: string } | null;
  /** The components reachable from the refs handed out so far. */
  schemas(): Record<string, JsonSchema>;
}

export function createComponents(): Components {
  const registry = wireRegistry();
  const convert = (io: 'input' | 'output', suffix: string) =>
    z.toJSONSchema(registry, {
      io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
      uri: (id) => `${REF}${id}${suffix}`,
    }).schemas as Record<string, JsonSchema>;
  const output = mapValues(convert('output', ''), clean);
  const input = mapValues(convert('input', INPUT_SUFFIX), clean);
  const same = sameReadings(input, output);
  const inputName = (name: string) => (same.has(name) ? name : `${name}${INPUT_SUFFIX}`);
  const all: Record<string, JsonSchema> = { ...output };
  for (const [name, schema] of Object.entries(input)) {
    if (!same.has(name)) all[inputName(name)] = renameRefs(schema, inputName);
  }
  const roots = new Set<string>();

  return {
    ref(schema, io) {
      const name = registry.get(schema)?.id;
      if (name === undefined) return null;
      const component = io === 'input' ? inputName(name) : name;
      roots.add(component);
      return { $ref: `${REF}${component}` };
    },
    schemas() {
      const reachable = new Set<string>();
      const visit = (name: string) => {
        if (reachable.has(name)) return;
        reachable.add(name);
        for (const ref of refsIn(all[name])) visit(ref);
      };
      for (const name of roots) visit(name);
      return Object.fromEntries([...reachable].sort().map((name) => [name, all[name]!]));
    },
  };
}

/**
 * The names whose input reading equals their output reading once input refs are read as
 * output refs, and whose refs all lead to such names too (a fixed point).
 */
function sameReadings(input: Record<string, JsonSchema>, output: Record<string, JsonSchema>): Set<string> {
  const same = new Set(
    Object.keys(input).filter(
      (name) =>
        JSON.stringify(renameRefs(input[name]!, (ref) => ref.replace(/Input$/, ''))) ===
        JSON.stringify(output[name]),
    ),
  );
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of same) {
      if (refsIn(output[name]).some((ref) => !same.has(ref))) {
        same.delete(name);
        changed = true;
      }
    }
  }
  return same;
}

/** A component needs no `$schema` or `$id` of its own inside the document. */
function clean({ $schema: _schema, $id: _id, ...rest }: JsonSchema): JsonSchema {
  return rest;
}

function refsIn(schema: unknown): string[] {
  const found: string[] = [];
  walk(schema, (node) => {
    if (typeof node.$ref === 'string' && node.$ref.startsWith(REF)) found.push(node.$ref.slice(REF.length));
  });
  return found;
}

function renameRefs(schema: JsonSchema, rename: (name: string) => string): JsonSchema {
  const copy = structuredClone(schema);
  walk(copy, (node) => {
    if (typeof node.$ref === 'string' && node.$ref.startsWith(REF)) {
      node.$ref = `${REF}${rename(node.$ref.slice(REF.length))}`;
    }
  });
  return copy;
}

function walk(node: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) for (const item of node) walk(item, visit);
  else if (node !== null && typeof node === 'object') {
    visit(node as Record<string, unknown>);
    for (const value of Object.values(node)) walk(value, visit);
  }
}

function mapValues<T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}
