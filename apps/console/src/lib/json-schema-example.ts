type JsonSchema = Record<string, unknown>;

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A small valid-looking example for a JSON Schema, to prefill input editors: defaults and
 * examples when the schema gives them, otherwise the simplest value of each required field.
 */
export function exampleFromSchema(schema: unknown, depth = 0): unknown {
  if (!isObject(schema) || depth > 6) return {};
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required)
        ? schema.required.filter((key) => typeof key === 'string')
        : [];
      const example: Record<string, unknown> = {};
      for (const key of required) example[key] = exampleFromSchema(properties[key], depth + 1);
      return example;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number': {
      const minimum = typeof schema.minimum === 'number' ? schema.minimum : undefined;
      const maximum = typeof schema.maximum === 'number' ? schema.maximum : undefined;
      if (minimum !== undefined && maximum !== undefined) return Math.round((minimum + maximum) / 2);
      return minimum ?? maximum ?? 0;
    }
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'null':
      return null;
    default:
      if (Array.isArray(schema.anyOf)) return exampleFromSchema(schema.anyOf[0], depth + 1);
      if (Array.isArray(schema.oneOf)) return exampleFromSchema(schema.oneOf[0], depth + 1);
      return {};
  }
}

/** The text an input editor starts with for a flow. */
export function initialInputText(schema: Record<string, unknown> | null, current?: unknown): string {
  if (current !== undefined) return JSON.stringify(current, null, 2);
  if (!schema) return '{}';
  return JSON.stringify(exampleFromSchema(schema), null, 2);
}

/** Parses editor text as JSON; an empty editor means `{}`. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : 'not valid JSON' };
  }
}

/**
 * The one line an input editor shows for text that is not JSON, worded the same in every
 * dialog: "Not valid JSON: Expected ',' or '}' after property value (line 2, column 9)".
 * Null when the text parses.
 */
export function jsonSyntaxProblem(text: string): string | null {
  const parsed = parseJsonText(text);
  if (parsed.ok) return null;
  const position = /^(.*) in JSON at position (\d+)/.exec(parsed.message);
  if (!position) return `Not valid JSON: ${parsed.message}`;
  const before = text.slice(0, Number(position[2]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `Not valid JSON: ${position[1]} (line ${line}, column ${column})`;
}
