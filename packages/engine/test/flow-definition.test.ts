import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineFlow } from '../src/flow.ts';

const noop = () => null;

describe('defineFlow', () => {
  it('rejects a step that needs an unknown step, naming both', () => {
    expect(() =>
      defineFlow({ name: 'f', description: '', steps: { a: { needs: ['ghost'], handler: noop } } }),
    ).toThrow("step 'a' needs unknown step 'ghost'");
  });

  it('rejects a cycle, naming the steps in it', () => {
    expect(() =>
      defineFlow({
        name: 'f',
        description: '',
        steps: {
          a: { handler: noop },
          b: { needs: ['a', 'c'], handler: noop },
          c: { needs: ['b'], handler: noop },
        },
      }),
    ).toThrow('steps form a cycle: b, c');
  });

  it('rejects a flow name that cannot appear in a URL or key', () => {
    expect(() => defineFlow({ name: 'Bad Name', description: '', steps: { a: { handler: noop } } })).toThrow(
      'invalid name',
    );
  });

  it('publishes steps in dependency order with entry steps and the input JSON Schema', () => {
    const flow = defineFlow({
      name: 'diamond',
      description: 'fan-out and fan-in',
      input: z.object({ n: z.number().int() }),
      steps: {
        last: { needs: ['left', 'right'], handler: noop },
        right: { needs: ['first'], handler: noop },
        left: { needs: ['first'], retry: { attempts: 3 }, handler: noop },
        first: { handler: noop },
      },
    });
    expect(flow.manifest.steps.map((s) => s.name)).toEqual(['first', 'right', 'left', 'last']);
    expect(flow.manifest.entrySteps).toEqual(['first']);
    expect(flow.manifest.steps.find((s) => s.name === 'left')?.retry.attempts).toBe(3);
    expect(flow.manifest.inputSchema).toMatchObject({
      type: 'object',
      properties: { n: { type: 'integer' } },
    });
    expect(flow.dependants('first').sort()).toEqual(['left', 'right']);
  });
});
