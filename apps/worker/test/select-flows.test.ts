import { describe, expect, it } from 'vitest';
import { exampleFlows } from '../src/index.ts';
import { selectFlows } from '../src/select-flows.ts';

const names = (flows: { manifest: { name: string } }[]) => flows.map((f) => f.manifest.name);

describe('choosing the flows a worker hosts', () => {
  it('hosts every loaded flow when none are named', () => {
    expect(names(selectFlows(exampleFlows, undefined))).toEqual(names(exampleFlows));
  });

  it('hosts only the named flows', () => {
    expect(names(selectFlows(exampleFlows, ['flaky-flow']))).toEqual(['flaky-flow']);
  });

  it('refuses a name that matches no loaded flow, listing the loaded ones', () => {
    expect(() => selectFlows(exampleFlows, ['example-flow', 'video-encode'])).toThrow(
      /'video-encode', which is not loaded; loaded flows: example-flow/,
    );
  });
});
