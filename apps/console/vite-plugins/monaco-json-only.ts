import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const REPLACEMENT = fileURLToPath(
  new URL('../src/components/ui/json-editor/monaco-web-worker.ts', import.meta.url),
);
const LANGUAGE_MODULE = /[\\/]monaco-editor[\\/]esm[\\/]vs[\\/]languages[\\/]/;

/**
 * Keeps Monaco's lazy JSON-language chunk to the JSON language: its worker starter
 * (`internal/common/workers.js`) is swapped for ours, which does not pull in every editor
 * contribution. Build only; the dev server pre-bundles Monaco as it is.
 */
export function monacoJsonOnly(): Plugin {
  return {
    name: 'flowdeck:monaco-json-only',
    apply: 'build',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !LANGUAGE_MODULE.test(importer)) return null;
      return source.endsWith('/internal/common/workers.js') ? REPLACEMENT : null;
    },
  };
}
