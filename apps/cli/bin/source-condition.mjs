// Module resolution hook: workspace packages resolve through their `source` export condition,
// so the CLI runs @flowdeck/client's TypeScript sources, never a stale build of them.
export function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'source'] });
}
