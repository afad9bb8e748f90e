import Editor, { type OnValidate } from '@monaco-editor/react';
import { useEffect, useId, useState } from 'react';
import { monaco, registerSchema } from './monaco-setup.ts';
import type { JsonEditorProps } from './types.ts';

function usePrefersDark(): boolean {
  const query = '(prefers-color-scheme: dark)';
  const [dark, setDark] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const onChange = () => setDark(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return dark;
}

/** The Monaco side of `JsonEditor`; loaded lazily, never imported directly. */
export default function MonacoJsonEditor({
  defaultValue,
  onChange,
  onProblemsChange,
  jsonSchema,
  label,
  height = 180,
  readOnly = false,
}: JsonEditorProps) {
  const id = useId().replace(/[^a-zA-Z0-9]/g, '');
  const modelUri = monaco.Uri.parse(`inmemory://flowdeck/${id}.json`).toString();
  const dark = usePrefersDark();
  const [ready, setReady] = useState(false);

  useEffect(() => registerSchema(modelUri, jsonSchema), [modelUri, jsonSchema]);

  const onValidate: OnValidate = (markers) => {
    const problems = markers
      .filter((marker) => marker.severity >= monaco.MarkerSeverity.Warning)
      .map((marker) => `Line ${marker.startLineNumber}: ${marker.message}`);
    onProblemsChange?.(problems);
  };

  // The group carries the field's name once the editor can take input, so a click on the
  // named element always lands in a live editor.
  return (
    <fieldset className="json-editor-frame" aria-label={ready ? label : undefined}>
      <Editor
        height={height}
        defaultLanguage="json"
        defaultValue={defaultValue}
        path={modelUri}
        theme={dark ? 'vs-dark' : 'vs'}
        onChange={(value) => onChange?.(value ?? '')}
        onValidate={onValidate}
        onMount={() => setReady(true)}
        loading={<span className="muted">Loading editor…</span>}
        options={{
          // `JsonEditor`'s surrounding group carries the field's name (e.g. "Input").
          ariaLabel: 'JSON editor',
          readOnly,
          minimap: { enabled: false },
          lineNumbers: 'on',
          lineNumbersMinChars: 3,
          folding: true,
          scrollBeyondLastLine: false,
          automaticLayout: true,
          fontSize: 13,
          tabSize: 2,
          // What is typed is what is saved: no auto-inserted brackets or quotes, and completions
          // only on Ctrl+Space, so fast typing (or a pasted-in keystroke stream) is never rewritten.
          autoClosingBrackets: 'never',
          autoClosingQuotes: 'never',
          autoClosingOvertype: 'never',
          autoSurround: 'never',
          quickSuggestions: false,
          suggestOnTriggerCharacters: false,
          acceptSuggestionOnCommitCharacter: false,
          // Tab moves focus out of the editor, so a keyboard user is never trapped in a form field.
          tabFocusMode: true,
          wordWrap: 'on',
          fixedOverflowWidgets: true,
          renderLineHighlight: 'none',
          overviewRulerLanes: 0,
          scrollbar: { alwaysConsumeMouseWheel: false },
        }}
      />
    </fieldset>
  );
}
