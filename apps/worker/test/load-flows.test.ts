import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadUserFlows } from '../src/load-flows.ts';

const fixture = (path: string) => fileURLToPath(new URL(`fixtures/${path}`, import.meta.url));

describe('loading user flows', () => {
  it('loads every flow a folder of modules exports', async () => {
    const flows = await loadUserFlows(fixture('user-flows'));
    expect(flows.map((f) => f.manifest.name)).toEqual(['greeting-flow']);
  });

  it('loads a single module', async () => {
    const flows = await loadUserFlows(fixture('user-flows/greeting-flow.ts'));
    expect(flows.map((f) => f.manifest.name)).toEqual(['greeting-flow']);
  });

  it('refuses a module that exports no flow, naming the file', async () => {
    await expect(
      loadUserFlows(fileURLToPath(new URL('load-flows.test.ts', import.meta.url))),
    ).rejects.toThrow(/load-flows\.test\.ts exports no flow/);
  });
});
