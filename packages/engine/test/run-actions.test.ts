import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, InputInvalidError } from '../src/errors.ts';
import { defineFlow } from '../src/flow.ts';
import { RunCancelledError } from '../src/step-runner.ts';
import { type TestStack, testStack, until, waitForRun } from './helpers.ts';

/**
 * An operator's actions on a run, against a real Redis and a real worker: cancel, retry, replay
 * and delete, and what each leaves in the run's steps and events.
 */

let stack: TestStack;
afterEach(async () => {
  await stack?.close();
});

const by = { name: 'ops' };

/** A flow whose middle step waits until its signal aborts (or 20 s), counting what it sees. */
function hangingFlow() {
  const seen = { aborted: [] as unknown[], afterRan: 0, hangReturned: 0 };
  const flow = defineFlow({
    name: 'hanging',
    description: 'a step that waits until it is stopped',
    steps: {
      first: { handler: () => 'one' },
      hang: {
        needs: ['first'],
        handler: ({ signal }) =>
          new Promise((resolve) => {
            signal.addEventListener('abort', () => seen.aborted.push(signal.reason));
            // Returns late on purpose: a result after the cancel must be ignored.
            setTimeout(() => {
              seen.hangReturned++;
              resolve('late');
            }, 1500);
          }),
      },
      after: {
        needs: ['hang'],
        handler: () => {
          seen.afterRan++;
          return 'after';
        },
      },
    },
  });
  return { flow, seen };
}

/** A flow whose second step fails until `failing.until` is passed; counts each step's calls. */
function flakyFlow() {
  const calls = { fetch: 0, load: 0, report: 0 };
  const failing = { until: Number.POSITIVE_INFINITY };
  const flow = defineFlow({
    name: 'flaky',
    description: 'fails in its middle step while told to',
    input: z.object({ n: z.number().int() }),
    steps: {
      fetch: { handler: ({ input }) => ++calls.fetch + input.n },
      load: {
        needs: ['fetch'],
        retry: { attempts: 2, backoff: { type: 'fixed', delayMs: 10 } },
        handler: () => {
          calls.load++;
          if (calls.load <= failing.until) throw new Error('the store is down');
          return 'loaded';
        },
      },
      report: {
        needs: ['load'],
        handler: () => {
          calls.report++;
          return 'reported';
        },
      },
    },
  });
  return { flow, calls, failing };
}

describe('cancel', () => {
  it('aborts the running step with a RunCancelledError, skips the rest and ignores the late result', async () => {
    stack = testStack();
    const { flow, seen } = hangingFlow();
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('hanging', {}, { trigger: { type: 'api' } });
    await waitForRun(stack.engine, 'hanging', runId, (run) => run.steps[1]!.status === 'running');

    const canceled = await stack.engine.runs.cancel('hanging', runId, { ...by, reason: 'stuck' });
    expect(canceled.status).toBe('canceled');
    expect(canceled.steps.map((s) => [s.name, s.status])).toEqual([
      ['first', 'completed'],
      ['hang', 'canceled'],
      ['after', 'skipped'],
    ]);
    await until(
      async () => seen.aborted.length,
      (n) => n === 1,
    );
    expect(seen.aborted[0]).toBeInstanceOf(RunCancelledError);
    await until(
      async () => seen.hangReturned,
      (n) => n === 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await stack.engine.runs.get('hanging', runId);
    expect(after.status).toBe('canceled');
    expect(after.steps[1]).toMatchObject({ status: 'canceled', output: undefined });
    expect(seen.afterRan).toBe(0);
    const events = await stack.engine.events.list('hanging', runId);
    expect(events.filter((e) => e.type === 'run.canceled')).toMatchObject([
      { message: 'stuck', data: { by: 'ops' } },
    ]);
    expect(events.some((e) => e.type === 'step.completed' && e.step === 'hang')).toBe(false);
  });

  it('a second cancel, or a cancel of a run that ended, is a conflict naming the status', async () => {
    stack = testStack();
    const { flow } = hangingFlow();
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('hanging', {}, { trigger: { type: 'api' } });
    await stack.engine.runs.cancel('hanging', runId, by);
    const again = stack.engine.runs.cancel('hanging', runId, by);
    await expect(again).rejects.toBeInstanceOf(ConflictError);
    await expect(again).rejects.toThrow(/already ended \(canceled\)/);
  });

  it('a run canceled while no worker is up stays canceled when a worker starts', async () => {
    stack = testStack();
    const { flow, seen } = hangingFlow();
    // A worker publishes the flow and goes: the run waits, queued, with no worker up.
    await (await stack.startWorker([flow])).close();
    const { runId } = await stack.engine.startFlow('hanging', {}, { trigger: { type: 'api' } });
    await stack.engine.runs.cancel('hanging', runId, by);
    await stack.startWorker([flow]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const run = await stack.engine.runs.get('hanging', runId);
    expect(run.status).toBe('canceled');
    expect(run.steps.every((s) => s.status === 'skipped')).toBe(true);
    expect(seen.afterRan).toBe(0);
  });
});

describe('retry', () => {
  it('continues a failed run from its failed step: completed steps do not run again, attempts go on', async () => {
    stack = testStack();
    const { flow, calls, failing } = flakyFlow();
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('flaky', { n: 1 }, { trigger: { type: 'api' } });
    const failed = await waitForRun(stack.engine, 'flaky', runId);
    expect(failed.status).toBe('failed');
    expect(failed.steps.map((s) => s.status)).toEqual(['completed', 'failed', 'skipped']);
    expect(calls).toEqual({ fetch: 1, load: 2, report: 0 });

    failing.until = 2;
    const retried = await stack.engine.runs.retry('flaky', runId, by);
    expect(retried.status).toBe('running');
    const done = await waitForRun(stack.engine, 'flaky', runId);
    expect(done.status).toBe('completed');
    expect(calls).toEqual({ fetch: 1, load: 3, report: 1 });
    expect(done.steps.map((s) => [s.name, s.attempts])).toEqual([
      ['fetch', 1],
      ['load', 3],
      ['report', 1],
    ]);
    expect(done.steps[0]!.output).toBe(2);
    const events = await stack.engine.events.list('flaky', runId);
    expect(events.filter((e) => e.type === 'run.retried')).toMatchObject([{ data: { by: 'ops' } }]);
  });

  it('a retried run that fails again gets its retry policy afresh', async () => {
    stack = testStack();
    const { flow, calls } = flakyFlow();
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('flaky', { n: 1 }, { trigger: { type: 'api' } });
    await waitForRun(stack.engine, 'flaky', runId);
    await stack.engine.runs.retry('flaky', runId, by);
    const again = await waitForRun(stack.engine, 'flaky', runId, (run) => run.status === 'failed');
    expect(calls.load).toBe(4);
    expect(again.steps[1]).toMatchObject({ status: 'failed', attempts: 4 });
  });

  it('a running or completed run cannot be retried', async () => {
    stack = testStack();
    const { flow } = hangingFlow();
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('hanging', {}, { trigger: { type: 'api' } });
    await waitForRun(stack.engine, 'hanging', runId, (run) => run.steps[1]!.status === 'running');
    await expect(stack.engine.runs.retry('hanging', runId, by)).rejects.toThrow(/is running; only a failed/);
    // The refused retry left the run's jobs alone: it goes on to complete.
    expect((await waitForRun(stack.engine, 'hanging', runId)).status).toBe('completed');
    await expect(stack.engine.runs.retry('hanging', runId, by)).rejects.toThrow(
      /is completed; only a failed/,
    );
  });
});

describe('replay', () => {
  it('starts a new run with the original input or an edited one, linked both ways', async () => {
    stack = testStack();
    const { flow, calls, failing } = flakyFlow();
    failing.until = 0;
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('flaky', { n: 5 }, { trigger: { type: 'api' } });
    await waitForRun(stack.engine, 'flaky', runId);

    const same = await stack.engine.runs.replay('flaky', runId, undefined, by);
    const edited = await stack.engine.runs.replay('flaky', runId, { n: 40 }, by);
    expect(same).toMatchObject({ replayOf: runId, created: true });
    const [first, second] = await Promise.all([
      waitForRun(stack.engine, 'flaky', same.runId),
      waitForRun(stack.engine, 'flaky', edited.runId),
    ]);
    expect(first).toMatchObject({ input: { n: 5 }, trigger: { type: 'replay', of: runId } });
    expect(second).toMatchObject({ input: { n: 40 }, trigger: { type: 'replay', of: runId } });
    // fetch answers its call count plus n: the replays ran it as the second and third calls.
    expect(calls.fetch).toBe(3);
    expect([7, 8]).toContain(first.steps[0]!.output);
    expect([42, 43]).toContain(second.steps[0]!.output);
    const original = await stack.engine.runs.get('flaky', runId);
    expect(original.replays).toEqual([same.runId, edited.runId]);
  });

  it('an edited input the flow does not accept is refused, naming the field, and starts nothing', async () => {
    stack = testStack();
    const { flow } = flakyFlow();
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('flaky', { n: 5 }, { trigger: { type: 'api' } });
    const refused = stack.engine.runs.replay('flaky', runId, { n: 'five' }, by);
    await expect(refused).rejects.toBeInstanceOf(InputInvalidError);
    await expect(refused).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'input.n' })] });
    expect((await stack.engine.runs.get('flaky', runId)).replays).toEqual([]);
    expect((await stack.engine.runs.list('flaky', { limit: 10 })).items).toHaveLength(1);
  });
});

describe('delete', () => {
  it('removes an ended run from reads and lists, and refuses one still going', async () => {
    stack = testStack();
    const { flow } = hangingFlow();
    await stack.startWorker([flow]);
    const { runId } = await stack.engine.startFlow('hanging', {}, { trigger: { type: 'api' } });
    await expect(stack.engine.runs.remove('hanging', runId)).rejects.toThrow(/cancel it before deleting it/);
    await stack.engine.runs.cancel('hanging', runId, by);
    expect(await stack.engine.runs.remove('hanging', runId)).toEqual({ deleted: true, runId });
    await expect(stack.engine.runs.get('hanging', runId)).rejects.toThrow(/has no run/);
    expect((await stack.engine.runs.list('hanging', { limit: 10 })).items).toEqual([]);
    expect(await stack.engine.events.list('hanging', runId)).toEqual([]);
  });
});

describe('bulk', () => {
  it('retries 50 failed runs in one call, one result each, and reports a run it cannot retry beside them', async () => {
    stack = testStack();
    const { flow, calls, failing } = flakyFlow();
    await stack.startWorker([flow], { concurrency: 20 });
    const runIds: string[] = [];
    for (let i = 0; i < 50; i++) {
      runIds.push((await stack.engine.startFlow('flaky', { n: i }, { trigger: { type: 'api' } })).runId);
    }
    await Promise.all(runIds.map((id) => waitForRun(stack.engine, 'flaky', id)));
    failing.until = 0;
    const runs = [...runIds, '0000000000000000000'].map((runId) => ({ flowName: 'flaky', runId }));

    const answer = await stack.engine.runs.bulk({ action: 'retry', runs }, by);
    expect(answer).toMatchObject({ action: 'retry', succeeded: 50, failed: 1, more: false });
    expect(answer.results).toHaveLength(51);
    expect(answer.results.at(-1)).toMatchObject({ ok: false, status: 404, code: 'run_not_found' });
    const done = await Promise.all(runIds.map((id) => waitForRun(stack.engine, 'flaky', id)));
    expect(done.every((run) => run.status === 'completed')).toBe(true);
    expect(calls.fetch).toBe(50);
  });

  it('selects runs by a filter across flows and acts on each once', async () => {
    stack = testStack();
    const { flow } = flakyFlow();
    const { flow: hanging } = hangingFlow();
    await stack.startWorker([flow, hanging]);
    const failed = (await stack.engine.startFlow('flaky', { n: 1 }, { trigger: { type: 'api' } })).runId;
    await waitForRun(stack.engine, 'flaky', failed);
    const running = (await stack.engine.startFlow('hanging', {}, { trigger: { type: 'api' } })).runId;

    const canceled = await stack.engine.runs.bulk(
      { action: 'cancel', filter: { status: 'running' }, reason: 'freeze' },
      by,
    );
    expect(canceled.results.map((r) => [r.runId, r.ok, r.runStatus])).toEqual([[running, true, 'canceled']]);
    const deleted = await stack.engine.runs.bulk({ action: 'delete', filter: { flowName: 'flaky' } }, by);
    expect(deleted).toMatchObject({ succeeded: 1, failed: 0, results: [{ runId: failed, ok: true }] });
  });
});
