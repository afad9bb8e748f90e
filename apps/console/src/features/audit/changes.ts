/** The top-level fields an edit changed, each with its value before and after. */
export function changedFields(
  before: unknown,
  after: unknown,
): Array<{ field: string; from: unknown; to: unknown }> {
  if (!isRecord(before) || !isRecord(after)) return [];
  const ignored = new Set(['version', 'updatedAt', 'nextRun', 'stats']);
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields]
    .filter((field) => !ignored.has(field) && JSON.stringify(before[field]) !== JSON.stringify(after[field]))
    .map((field) => ({ field, from: before[field], to: after[field] }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
