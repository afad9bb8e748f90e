import type { DefinedFlow } from '@flowdeck/engine';

/**
 * The flows this worker hosts: every loaded flow, or only those FLOWDECK_WORKER_FLOWS names
 * (a worker for heavy flows only, say). A name that matches no loaded flow is a typo or a
 * missing module, so it stops the worker rather than leaving that flow without workers.
 */
export function selectFlows(loaded: DefinedFlow[], wanted: string[] | undefined): DefinedFlow[] {
  if (wanted === undefined) return loaded;
  const names = loaded.map((f) => f.manifest.name);
  const unknown = wanted.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `FLOWDECK_WORKER_FLOWS names ${unknown.map((n) => `'${n}'`).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not loaded; loaded flows: ${names.join(', ') || 'none'}`,
    );
  }
  return loaded.filter((f) => wanted.includes(f.manifest.name));
}
