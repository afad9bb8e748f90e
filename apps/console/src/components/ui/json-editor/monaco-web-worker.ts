/**
 * Stands in for monaco-editor's `internal/common/workers.js` in the build (see
 * vite-plugins/monaco-json-only.ts). The JSON language imports that module only to start its
 * worker, but the module also imports every editor contribution as a side effect (inline
 * completions, sticky scroll, rename, code lens…: about 600 KB of JavaScript the JSON editor
 * never uses). This one starts the worker and nothing else; monaco-setup.ts picks the
 * contributions the editor does use.
 */
import { editor } from 'monaco-editor/editor/editor.api';

interface LanguageWorkerOptions {
  label?: string;
  createWorker?: () => Worker;
  /** Handed to the worker's `create()`: the language's settings. */
  createData?: unknown;
  host?: editor.IInternalWebWorkerOptions['host'];
  keepIdleModels?: boolean;
}

export function createWebWorker<T extends object>(options: LanguageWorkerOptions): editor.MonacoWebWorker<T> {
  const label = options.label ?? 'monaco-editor-worker';
  const started = self.MonacoEnvironment?.getWorker?.('workerMain.js', label) ?? options.createWorker?.();
  if (!started) throw new Error(`no worker for ${label}: set MonacoEnvironment.getWorker`);
  const worker = Promise.resolve(started).then((ready) => {
    // The same two messages Monaco's own starter sends: a wake-up, then the language settings.
    ready.postMessage('ignore');
    ready.postMessage(options.createData);
    return ready;
  });
  return editor.createWebWorker<T>({ worker, host: options.host, keepIdleModels: options.keepIdleModels });
}
