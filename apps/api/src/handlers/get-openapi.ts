import { buildOpenApiDocument } from '../openapi/document.ts';
import type { AppDeps, Reply } from '../route-builder.ts';

const built = new WeakMap<AppDeps['routes'], ReturnType<typeof buildOpenApiDocument>>();

/** GET /api/openapi.json: the document of the route table this app mounted, built once. */
export async function getOpenApi({ routes }: AppDeps): Promise<Reply> {
  let document = built.get(routes);
  if (!document) {
    document = buildOpenApiDocument(routes);
    built.set(routes, document);
  }
  return { body: document, headers: { 'cache-control': 'no-cache' } };
}
