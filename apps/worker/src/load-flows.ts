import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DefinedFlow } from '@flowdeck/engine';

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);

function isDefinedFlow(value: unknown): value is DefinedFlow {
  return typeof value === 'object' && value !== null && 'manifest' in value && 'definition' in value;
}

/** Every `defineFlow(...)` result a module exports, directly or in an exported array. */
function flowsOf(moduleExports: Record<string, unknown>): DefinedFlow[] {
  return Object.values(moduleExports).flatMap((value) =>
    Array.isArray(value) ? value.filter(isDefinedFlow) : isDefinedFlow(value) ? [value] : [],
  );
}

/**
 * Loads user flows from FLOWDECK_FLOWS: a module, or a folder whose modules are all
 * loaded. TypeScript works as is, since the worker runs under tsx.
 */
export async function loadUserFlows(location: string): Promise<DefinedFlow[]> {
  const path = resolve(location);
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path))
        .filter((f) => MODULE_EXTENSIONS.has(extname(f)) && !f.endsWith('.d.ts'))
        .map((f) => join(path, f))
    : [path];
  const flows: DefinedFlow[] = [];
  for (const file of files.sort()) {
    const found = flowsOf(await import(pathToFileURL(file).href));
    if (found.length === 0) throw new Error(`${file} exports no flow; export the result of defineFlow(...)`);
    flows.push(...found);
  }
  return flows;
}
