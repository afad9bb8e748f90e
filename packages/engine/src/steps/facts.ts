import type { DefinedFlow } from '../flow.ts';
import { manifestVersion } from '../registry.ts';

/** What a flow's steps need of its manifest: its sink steps and its version. */
export interface FlowFacts {
  sinks: string[];
  version: string;
}

/** Worked out once per flow; a runner keeps one cache for the flows it runs. */
export type FlowFactsCache = WeakMap<DefinedFlow, FlowFacts>;

export function factsOf(cache: FlowFactsCache, flow: DefinedFlow): FlowFacts {
  let known = cache.get(flow);
  if (!known) {
    const sinks = flow.manifest.steps.filter((s) => flow.dependants(s.name).length === 0).map((s) => s.name);
    known = { sinks, version: manifestVersion(flow.manifest) };
    cache.set(flow, known);
  }
  return known;
}
