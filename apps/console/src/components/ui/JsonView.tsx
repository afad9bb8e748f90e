import './JsonView.css';

/** Read-only pretty JSON, named for assistive technology; `undefined` shows as a dash. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = value === undefined ? '—' : JSON.stringify(value, null, 2);
  return (
    <figure className="json-figure">
      <figcaption className="visually-hidden">{label}</figcaption>
      <pre className="json-view">{text}</pre>
    </figure>
  );
}
