import { jsonSyntaxProblem } from '../../../lib/json-schema-example.ts';

/**
 * What is wrong with a JSON input, one line per mistake. Text that does not parse gets the one
 * "Not valid JSON" line, not the editor's own cascade of follow-on complaints about the same
 * mistake; text that parses gets `others` (a form or server message) and the editor's schema
 * problems.
 */
export function inputProblems(text: string, editorProblems: string[], others: string[] = []): string[] {
  const syntax = jsonSyntaxProblem(text);
  if (syntax) return [syntax];
  return Array.from(new Set([...others, ...editorProblems]));
}

/** The problems under an input editor, or a hint on how to use it when there are none. */
export function InputProblems({ problems, schema }: { problems: string[]; schema: boolean }) {
  if (problems.length === 0) {
    return (
      <p className="field-hint">
        JSON{schema ? ", checked against the flow's input schema (Ctrl+Space completes)" : ''}. Tab leaves the
        editor.
      </p>
    );
  }
  return (
    <ul className="field-error input-problems" aria-label="JSON problems">
      {problems.map((problem) => (
        <li key={problem}>{problem}</li>
      ))}
    </ul>
  );
}
