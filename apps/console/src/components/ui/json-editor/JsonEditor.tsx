import { lazy, Suspense } from 'react';
import type { JsonEditorProps } from './types.ts';
import './JsonEditor.css';

const MonacoJsonEditor = lazy(() => import('./MonacoJsonEditor.tsx'));

/**
 * The one JSON editor of the console: Monaco with JSON Schema validation and completion.
 * Monaco is a few megabytes, so it loads on first use, never with the first page.
 */
export function JsonEditor(props: JsonEditorProps) {
  return (
    <div className="json-editor" style={{ height: props.height ?? 180 }}>
      <Suspense
        fallback={
          <p role="status" className="json-editor-loading">
            Loading editor…
          </p>
        }
      >
        <MonacoJsonEditor {...props} />
      </Suspense>
    </div>
  );
}

export type { JsonEditorProps };
