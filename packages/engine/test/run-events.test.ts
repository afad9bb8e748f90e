import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EVENTS_MAX_LEN } from '../src/context.ts';
import { defineFlow } from '../src/flow.ts';
import { createKeys } from '../src/keys.ts';
import { redisUrl, type TestStack, testStack, waitForRun } from './helpers.ts';

const client = new Redis(redisUrl());
let stack: TestStack;
afterEach(async () => {
  await stack.close();
});
afterAll(() => client.disconnect());

const tiny = defineFlow({ name: 'tiny', description: '', steps: { only: { handler: () => 1 } } });

describe('run events', () => {
  it('numbers a run events from 1 in order, and ?after=n returns the events after the nth', async () => {
    stack = testStack();
    await stack.startWorker([tiny]);
    const { runId } = await stack.engine.startFlow('tiny', {}, { trigger: { type: 'api' } });
    await waitForRun(stack.engine, 'tiny', runId);
    const events = await stack.engine.events.list('tiny', runId);
    expect(events.map((e) => [e.id, e.type])).toEqual([
      ['1', 'run.started'],
      ['2', 'step.started'],
      ['3', 'step.completed'],
      ['4', 'run.completed'],
    ]);
    expect(events[1]).toMatchObject({ step: 'only', attempt: 1 });
    expect(events[0]?.data).toEqual({ trigger: { type: 'api' } });
    const after = await stack.engine.events.list('tiny', runId, '2');
    expect(after.map((e) => e.id)).toEqual(['3', '4']);
  });

  it('drops log lines past the cap of events per run, and still records how the run ended', async () => {
    stack = testStack();
    const chatty = defineFlow({
      name: 'chatty',
      description: '',
      steps: {
        talk: {
          handler: (ctx) => {
            for (let i = 0; i < EVENTS_MAX_LEN + 50; i++) ctx.log('info', `line ${i}`);
            return 'done';
          },
        },
      },
    });
    await stack.startWorker([chatty]);
    const { runId } = await stack.engine.startFlow('chatty', {}, { trigger: { type: 'api' } });
    const run = await waitForRun(stack.engine, 'chatty', runId);
    expect(run.status).toBe('completed');
    const events = await stack.engine.events.list('chatty', runId);
    const logs = events.filter((e) => e.type === 'step.log');
    expect(logs.length).toBe(EVENTS_MAX_LEN - 2);
    expect(logs.at(-1)?.message).toBe(`line ${EVENTS_MAX_LEN - 3}`);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['step.completed', 'run.completed']);
  });

  it('deletes a trimmed run with its event list', async () => {
    stack = testStack({ maxRuns: 1 });
    const keys = createKeys(stack.prefix);
    await stack.startWorker([tiny]);
    const { runId: oldest } = await stack.engine.startFlow('tiny', {}, { trigger: { type: 'api' } });
    await waitForRun(stack.engine, 'tiny', oldest);
    const doomed = [keys.run('tiny', oldest), keys.runEvents('tiny', oldest)];
    expect(await client.exists(...doomed)).toBe(2);
    await stack.engine.startFlow('tiny', {}, { trigger: { type: 'api' } });
    expect(await client.exists(...doomed)).toBe(0);
  });
});
