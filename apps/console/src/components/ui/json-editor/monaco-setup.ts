/**
 * Monaco, bundled with the console instead of fetched from a CDN: only the editor core,
 * the contributions a JSON form field needs and the JSON language, with both web workers
 * built by Vite. This module is imported only by the lazy editor chunk, so none of it is
 * on the console's first load.
 */
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/editor/browser/coreCommands';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/suggest/register';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/format/register';
import 'monaco-editor/features/contextmenu/register';
import 'monaco-editor/features/gotoError/register';
import 'monaco-editor/features/wordOperations/register';
import 'monaco-editor/features/linesOperations/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/placeholderText/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/languages/features/json/json.worker?worker';
import { jsonDefaults } from 'monaco-editor/languages/features/json/register';

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return label === 'json' ? new JsonWorker() : new EditorWorker();
  },
};

loader.config({ monaco });

/** Editors currently mounted, by model URI, each with the JSON Schema its content must meet. */
const schemasByModel = new Map<string, Record<string, unknown>>();

function applySchemas() {
  jsonDefaults.setDiagnosticsOptions({
    validate: true,
    allowComments: false,
    trailingCommas: 'error',
    comments: 'error',
    enableSchemaRequest: false,
    schemaValidation: 'error',
    schemas: Array.from(schemasByModel, ([uri, schema]) => ({
      uri: `${uri}#schema`,
      fileMatch: [uri],
      schema,
    })),
  });
}

/** Registers `schema` for the model at `modelUri` until the returned function is called. */
export function registerSchema(
  modelUri: string,
  schema: Record<string, unknown> | null | undefined,
): () => void {
  if (schema) schemasByModel.set(modelUri, schema);
  else schemasByModel.delete(modelUri);
  applySchemas();
  return () => {
    schemasByModel.delete(modelUri);
    applySchemas();
  };
}

applySchemas();

export { monaco };
