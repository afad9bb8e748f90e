export interface JsonEditorProps {
  /** Initial text. The editor owns its text afterwards (a controlled value drops keystrokes). */
  defaultValue: string;
  onChange?: (text: string) => void;
  /** Syntax errors and JSON Schema violations, as messages; empty when the text is valid. */
  onProblemsChange?: (problems: string[]) => void;
  /** JSON Schema the text is validated and completed against. */
  jsonSchema?: Record<string, unknown> | null;
  /** Accessible name of the editor's text area. */
  label: string;
  height?: number;
  readOnly?: boolean;
}
