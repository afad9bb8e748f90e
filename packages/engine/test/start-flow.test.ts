import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
// @ts-expect-error: plain .mjs helpers without types, shared with npm start
import { startRedis } from '../../../scripts/lib/redis.mjs';
import { createEngine, createEngineParts } from '../src/engine.ts';
import { defineFlow } from '../src/flow.ts';
import { startWorker, type WorkerHandle } from '../src/worker.ts';
import { redisUrl, type TestStack, testStack, uniquePrefix, waitForRun } from './helpers.ts';

/**
 * A plain start sends its run's create and its entry step jobs in one round trip (see
 * start-flow.ts). These check the cases where the create does not go as sent.
 */

let handled = 0;
const versioned = (input: z.ZodType) =>
  defineFlow({
    name: 'versioned',
    description: 'v',
    input,
    steps: {
      only: {
        handler: () => {
          handled++;
          return 1;
        },
      },
    },
  });

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('a start sent with its step jobs', () => {
  it('refused by a newer schema, creates no run, runs no step and leaves no step job behind', async () => {
    stack = testStack();
    handled = 0;
    const first = await stack.startWorker([versioned(z.object({ n: z.number().optional() }))]);
    // Two starts: the first may load the create script, the second runs it by its SHA.
    const warm = [
      await stack.engine.startFlow('versioned', {}, { trigger: { type: 'api' } }),
      await stack.engine.startFlow('versioned', {}, { trigger: { type: 'api' } }),
    ];
    await Promise.all(warm.map(({ runId }) => waitForRun(stack!.engine, 'versioned', runId)));
    await first.close();
    // The engine still holds the first manifest; the new worker requires `n`.
    await stack.startWorker([versioned(z.object({ n: z.number() }))]);
    const refused = await stack.engine
      .startFlow('versioned', {}, { trigger: { type: 'api' } })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 422, code: 'input_invalid' });
    const accepted = await stack.engine.startFlow('versioned', { n: 1 }, { trigger: { type: 'api' } });
    expect((await waitForRun(stack.engine, 'versioned', accepted.runId)).status).toBe('completed');

    const client = new Redis(redisUrl());
    const queueEvents = await client.xrange(`{${stack.prefix}:versioned}:versioned:events`, '-', '+');
    client.disconnect();
    const added = queueEvents.filter(([, fields]) => fields[0] === 'event' && fields[1] === 'added');
    expect(added).toHaveLength(4); // the two warm-ups, the refused try's, the accepted one

    const runs = await stack.engine.runs.list('versioned', { limit: 50 });
    expect(runs.items.map((r) => r.id).sort()).toEqual([...warm.map((r) => r.runId), accepted.runId].sort());
    expect(handled).toBe(3);
    const queue = new Queue('versioned', {
      connection: { url: redisUrl() },
      prefix: `{${stack.prefix}:versioned}`,
    });
    try {
      // The job sent with the refused try names a run that does not exist: a worker drops it.
      await expect
        .poll(() => queue.getJobCounts('waiting', 'active', 'delayed', 'failed'))
        .toEqual({
          waiting: 0,
          active: 0,
          delayed: 0,
          failed: 0,
        });
    } finally {
      await queue.close();
    }
  });

  it('after Redis dropped its scripts, goes the careful way until the create script is loaded again', async () => {
    // A private Redis: flushing the scripts of the shared one would touch every other test.
    const dir = await mkdtemp(join(tmpdir(), 'flowdeck-noscript-'));
    const redis = await startRedis({ dataDir: dir });
    const settings = {
      redisUrl: redis.url,
      prefix: uniquePrefix(),
      retention: { maxRuns: 1000, maxAgeMs: 86_400_000 },
      heartbeatMs: 500,
    };
    const parts = createEngineParts(settings);
    const engine = createEngine(settings);
    let worker: WorkerHandle | undefined;
    const admin = new Redis(redis.url);
    const start = () => parts.startFlow('versioned', {}, { trigger: { type: 'api' } });
    try {
      worker = await startWorker({
        ...settings,
        flows: [versioned(z.object({}))],
        concurrency: 20,
        shutdownGraceMs: 5000,
      });
      // The first create loads the script (NOSCRIPT, then EVAL); the second runs it by its SHA.
      const warm = [await start(), await start()];
      expect(parts.runs.createRunsFirst()).toBe(true);
      await admin.script('FLUSH');
      // Sent with their jobs, their creates come back NOSCRIPT and run again after the jobs.
      const sentTogether = await Promise.all(Array.from({ length: 50 }, start));
      expect(parts.runs.createRunsFirst()).toBe(false);
      const careful = await start();
      expect(parts.runs.createRunsFirst()).toBe(true);
      const runs = await Promise.all(
        [...warm, ...sentTogether, careful].map(({ runId }) => waitForRun(engine, 'versioned', runId)),
      );
      expect(runs.map((r) => r.status)).toEqual(runs.map(() => 'completed'));
    } finally {
      await worker?.close();
      await parts.queues.close();
      await parts.ctx.redis.quit();
      await engine.close();
      admin.disconnect();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
