import type { RunSummary } from '@flowdeck/types';
import { afterEach, expect, it } from 'vitest';
import { defineFlow } from '../src/flow.ts';
import { type TestStack, testStack, waitForRun } from './helpers.ts';

/** Every flow's runs in one list (GET /api/_runs), against a real Redis and worker. */

let stack: TestStack;
afterEach(async () => {
  await stack?.close();
});

const flow = (name: string, fails: boolean) =>
  defineFlow({
    name,
    description: `${name}: ${fails ? 'always fails' : 'completes'}`,
    steps: {
      only: {
        handler: () => {
          if (fails) throw new Error('no');
          return 'ok';
        },
      },
    },
  });

/** Runs across three flows (the middle one failing), started one after another, oldest first. */
async function startRuns() {
  await stack.startWorker([flow('alpha', false), flow('beta', true), flow('gamma', false)]);
  const started: { flow: string; runId: string }[] = [];
  for (let i = 0; i < 9; i++) {
    const name = ['alpha', 'beta', 'gamma'][i % 3]!;
    const trigger = { type: i === 4 ? ('manual' as const) : ('api' as const) };
    const { runId } = await stack.engine.startFlow(name, {}, { trigger });
    started.push({ flow: name, runId });
    // Run ids carry their creation time in milliseconds: one apart keeps the order certain.
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  await Promise.all(started.map((r) => waitForRun(stack.engine, r.flow, r.runId)));
  return started;
}

async function everyPage(query: { limit: number; status?: 'failed'; flowName?: string }) {
  const pages: RunSummary[][] = [];
  let cursor: string | undefined;
  do {
    const page = await stack.engine.runs.listAll({ ...query, cursor });
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

it("lists every flow's runs newest first, paging through each exactly once", async () => {
  stack = testStack();
  const started = await startRuns();
  const newestFirst = started.map((r) => r.runId).reverse();

  const pages = await everyPage({ limit: 4 });
  expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
  expect(pages.flat().map((r) => r.id)).toEqual(newestFirst);
  expect(pages[0]!.map((r) => r.flowName)).toEqual(['gamma', 'beta', 'alpha', 'gamma']);
});

it('filters by flow, status, trigger and time, across flows', async () => {
  stack = testStack();
  const started = await startRuns();

  const failed = (await everyPage({ limit: 2, status: 'failed' })).flat();
  expect(failed.map((r) => r.id)).toEqual(
    started
      .filter((r) => r.flow === 'beta')
      .map((r) => r.runId)
      .reverse(),
  );
  const gamma = await stack.engine.runs.listAll({ limit: 50, flowName: 'gamma' });
  expect(gamma.items.map((r) => r.flowName)).toEqual(['gamma', 'gamma', 'gamma']);
  const manual = await stack.engine.runs.listAll({ limit: 50, trigger: 'manual' });
  expect(manual.items.map((r) => r.id)).toEqual([started[4]!.runId]);

  const runs = await Promise.all(started.map((r) => stack.engine.runs.get(r.flow, r.runId)));
  // A run's id is taken a moment before its createdAt: a millisecond of slack on `from`.
  const from = runs[3]!.createdAt - 1;
  const to = runs[6]!.createdAt;
  const window = await stack.engine.runs.listAll({ limit: 50, from, to });
  expect(window.items.map((r) => r.id)).toEqual(
    runs
      .slice(3, 7)
      .map((r) => r.id)
      .reverse(),
  );
});

it('refuses a cursor that no page gave', async () => {
  stack = testStack();
  await expect(stack.engine.runs.listAll({ limit: 10, cursor: 'nope' })).rejects.toThrow(/nextCursor/);
});
