import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTokenStore,
  parseTokenSpecs,
  startTestApi,
  type TestApi,
  waitForRunToFinish,
} from '@flowdeck/api/testing';
import {
  FlowList,
  ReplayRunResponse,
  Run,
  RunSummary,
  Schedule,
  ScheduleList,
  SchedulePreview,
  StartFlowResponse,
} from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowdeck, npxFlowdeck, startFlowdeck } from './cli.ts';

let api: TestApi;
let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  api = await startTestApi();
  env = { FLOWDECK_URL: api.baseUrl };
  dir = await mkdtemp(join(tmpdir(), 'flowdeck-cli-'));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

/** A list command's `--json` output, `{ items, nextCursor }` and nothing else, items parsed by `schema`. */
function listed<T>(stdout: string, schema: { parse(data: unknown): T }) {
  const body = JSON.parse(stdout) as { items: unknown; nextCursor: unknown };
  expect(Object.keys(body).sort()).toEqual(['items', 'nextCursor']);
  expect(body.nextCursor === null || typeof body.nextCursor === 'string').toBe(true);
  return { items: schema.parse(body.items), nextCursor: body.nextCursor as string | null };
}

async function createSchedule(flow: string, body: object): Promise<string> {
  const response = await api.fetch(`/api/_flows/${flow}/schedule`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return Schedule.parse(await response.json()).id;
}

describe('flowdeck start --wait', () => {
  it('streams the steps as they run and exits 0 when the run completes', async () => {
    // No worker at first, so the run cannot start before the command has printed its first line.
    const idle = await startTestApi({ worker: false });
    try {
      const cli = startFlowdeck(['start', 'example-flow', '--input', '{"records":3}', '--wait'], {
        FLOWDECK_URL: idle.baseUrl,
      });
      const header = await cli.printed(/^Run \S+ of example-flow$/);
      const runId = header.split(' ')[1]!;
      expect(cli.exited()).toBe(false);
      const queued = Run.parse(await (await idle.fetch(`/api/_flows/example-flow/runs/${runId}`)).json());
      expect(queued.status).toBe('queued');

      await idle.startWorker();
      await cli.printed(/step\.completed\s+fetch/);
      const result = await cli.done;
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      const completed = lines.findIndex((text) => text.includes('run.completed'));
      for (const step of ['fetch', 'transform', 'audit', 'store']) {
        const line = lines.findIndex((text) => /step\.completed/.test(text) && text.includes(step));
        expect(line).toBeGreaterThan(0);
        expect(line).toBeLessThan(completed);
      }
      expect(result.stdout).toMatch(/Status:\s+completed/);
    } finally {
      await idle.close();
    }
  });

  it('exits 1 when the run fails, after printing the failed step', async () => {
    const result = await flowdeck(['start', 'flaky-flow', '--input', '{"failForGood":true}', '--wait'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('run.failed');
    expect(result.stdout).toMatch(/Status:\s+failed/);
  });

  it('with --json prints only the final run on stdout, progress on stderr', async () => {
    const inputFile = join(dir, 'input.json');
    await writeFile(inputFile, JSON.stringify({ records: 1 }));
    const result = await flowdeck(
      ['start', 'example-flow', '--input-file', inputFile, '--wait', '--json'],
      env,
    );
    expect(result.code).toBe(0);
    const run = Run.parse(JSON.parse(result.stdout));
    expect(run).toMatchObject({ status: 'completed', input: { records: 1 } });
    expect(result.stderr).toContain('run.completed');
  });
});

describe('flowdeck start', () => {
  it('prints the run id, or the JSON answer with --json', async () => {
    const result = await flowdeck(['start', 'example-flow', '--json'], env);
    expect(result.code).toBe(0);
    const started = StartFlowResponse.parse(JSON.parse(result.stdout));
    const shown = await flowdeck(['runs', 'show', 'example-flow', started.runId], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(started.runId);
    const listed = await flowdeck(['runs', 'ls', 'example-flow'], env);
    expect(listed.stdout.split('\n')[0]).toMatch(/^RUN\s+STATUS\s+TRIGGER\s+CREATED/);
    expect(listed.stdout).toContain(started.runId);
  });

  it("exits 3 with the server's message when the input breaks the flow's schema", async () => {
    const result = await flowdeck(['start', 'cleanup-flow', '--input', '{"retentionDays":0}'], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('retentionDays');
  });

  it('exits 2 for input that is not JSON, without calling the server', async () => {
    const result = await flowdeck(['start', 'example-flow', '--input', '{records:'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--input is not valid JSON');
  });
});

describe('flowdeck runs cancel, retry, replay and rm', () => {
  it('cancels a queued run; canceling it again or deleting it before is refused with exit 3', async () => {
    // No worker, so the run stays queued for as long as the test needs.
    const idle = await startTestApi({ worker: false });
    try {
      const idleEnv = { FLOWDECK_URL: idle.baseUrl };
      const started = await flowdeck(['start', 'example-flow', '--json'], idleEnv);
      const { runId } = StartFlowResponse.parse(JSON.parse(started.stdout));
      const early = await flowdeck(['runs', 'rm', 'example-flow', runId], idleEnv);
      expect(early.code).toBe(3);
      expect(early.stderr).toContain('cancel it before deleting it');

      const canceled = await flowdeck(
        ['runs', 'cancel', 'example-flow', runId, '--reason', 'cli test', '--json'],
        idleEnv,
      );
      expect(canceled.code).toBe(0);
      expect(Run.parse(JSON.parse(canceled.stdout)).status).toBe('canceled');
      const again = await flowdeck(['runs', 'cancel', 'example-flow', runId], idleEnv);
      expect(again.code).toBe(3);
      expect(again.stdout).toBe('');
      expect(again.stderr).toContain('has already ended (canceled)');

      const removed = await flowdeck(['runs', 'rm', 'example-flow', runId], idleEnv);
      expect(removed).toMatchObject({ code: 0, stdout: `Deleted run ${runId} of example-flow\n` });
      const gone = await flowdeck(['runs', 'show', 'example-flow', runId], idleEnv);
      expect(gone.code).toBe(3);
    } finally {
      await idle.close();
    }
  });

  it('retries a failed run in place, and replays it with edited input as a linked run', async () => {
    const failed = await flowdeck(
      ['start', 'flaky-flow', '--input', '{"failForGood":true}', '--wait', '--json'],
      env,
    );
    expect(failed.code).toBe(1);
    const runId = Run.parse(JSON.parse(failed.stdout)).id;

    const retried = await flowdeck(['runs', 'retry', 'flaky-flow', runId], env);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toBe(`Retrying run ${runId} of flaky-flow: unreliable, store will run again\n`);
    const again = await waitForRunToFinish(api, 'flaky-flow', runId);
    expect(again.status).toBe('failed');
    expect(again.steps.find((step) => step.name === 'unreliable')?.attempts).toBe(6);

    const replayed = await flowdeck(
      ['runs', 'replay', 'flaky-flow', runId, '--input', '{"failForGood":false}', '--json'],
      env,
    );
    expect(replayed.code).toBe(0);
    const replay = ReplayRunResponse.parse(JSON.parse(replayed.stdout));
    expect(replay.replayOf).toBe(runId);
    expect(await waitForRunToFinish(api, 'flaky-flow', replay.runId)).toMatchObject({
      status: 'completed',
      trigger: { type: 'replay', of: runId },
    });
    const shown = await flowdeck(['runs', 'show', 'flaky-flow', runId], env);
    expect(shown.stdout).toMatch(new RegExp(`Replays:\\s+${replay.runId}`));
    const replayShown = await flowdeck(['runs', 'show', 'flaky-flow', replay.runId], env);
    expect(replayShown.stdout).toMatch(new RegExp(`Trigger:\\s+replay of ${runId}`));

    const completed = await flowdeck(['runs', 'retry', 'flaky-flow', replay.runId], env);
    expect(completed.code).toBe(3);
    expect(completed.stderr).toContain('only a failed or canceled run can be retried');
    const invalid = await flowdeck(
      ['runs', 'replay', 'flaky-flow', runId, '--input', '{"failForGood":"yes"}'],
      env,
    );
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toContain('failForGood');
    const notJson = await flowdeck(['runs', 'replay', 'flaky-flow', runId, '--input', '{nope'], env);
    expect(notJson.code).toBe(2);
  });

  it('are listed in --help, each with what the server may refuse', async () => {
    const help = await flowdeck(['--help'], env);
    for (const action of ['cancel', 'retry', 'replay', 'rm']) {
      expect(help.stdout).toContain(`runs ${action} <flow> <runId>`);
    }
    const cancel = await flowdeck(['runs', 'cancel', '--help'], env);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain('--reason VALUE');
    expect(cancel.stdout).toContain('Exits 3 when the run is');
  });
});

describe('flowdeck schedules', () => {
  it('create then ls --json shows the new schedule, with durations like 90s', async () => {
    const created = await flowdeck(
      [
        'schedules',
        'create',
        'cleanup-flow',
        '--every',
        '90s',
        '--input',
        '{"retentionDays":4}',
        '--description',
        'cli nightly',
        '--tag',
        'cli-test',
        '--json',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const schedule = Schedule.parse(JSON.parse(created.stdout));
    expect(schedule.schedule.every).toBe(90_000);

    const ownFlow = await flowdeck(['schedules', 'ls', 'cleanup-flow', '--json'], env);
    expect(ownFlow.code).toBe(0);
    const schedules = listed(ownFlow.stdout, ScheduleList).items;
    expect(schedules.find((s) => s.id === schedule.id)).toMatchObject({
      input: { retentionDays: 4 },
      metadata: { description: 'cli nightly', tags: ['cli-test'] },
    });

    const table = await flowdeck(['schedules', 'ls'], env);
    expect(table.stdout).toMatch(/^ID\s+FLOW\s+SCHEDULE\s+STATUS\s+NEXT RUN\s+RUNS\s+DESCRIPTION/);
    expect(table.stdout).toContain(schedule.id);

    await flowdeck(
      ['schedules', 'create', 'cleanup-flow', '--every', '2m', '--input', '{"retentionDays":1}'],
      env,
    );
    const first = await flowdeck(['schedules', 'ls', '--limit', '1', '--json'], env);
    expect(listed(first.stdout, ScheduleList).items).toHaveLength(1);
    const limited = await flowdeck(['schedules', 'ls', '--limit', '1'], env);
    expect(limited.stderr).toContain('More schedules follow');
    expect((await flowdeck(['schedules', 'ls', '--limit', '0'], env)).code).not.toBe(0);
  });

  it('lists every schedule when there are more than one page holds', async () => {
    const body = { every: 3_600_000, input: { retentionDays: 1 }, metadata: { tags: ['cli-many'] } };
    const created = await Promise.all(
      Array.from({ length: 205 }, () => createSchedule('cleanup-flow', body)),
    );
    const all = await flowdeck(['schedules', 'ls', '--tag', 'cli-many', '--json'], env);
    expect(all.code).toBe(0);
    const page = listed(all.stdout, ScheduleList);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((s) => s.id).sort()).toEqual(created.sort());
  });

  it('pauses, resumes, fires and removes a schedule by id', async () => {
    const created = await flowdeck(
      ['schedules', 'create', 'example-flow', '--cron', '0 3 * * *', '--tz', 'UTC', '--json'],
      env,
    );
    const { id } = Schedule.parse(JSON.parse(created.stdout));
    expect((await flowdeck(['schedules', 'pause', 'example-flow', id], env)).stdout).toContain(
      `Paused schedule ${id}`,
    );
    const paused = listed(
      (await flowdeck(['schedules', 'ls', 'example-flow', '--json'], env)).stdout,
      ScheduleList,
    );
    expect(paused.items.find((s) => s.id === id)?.status).toBe('paused');
    expect((await flowdeck(['schedules', 'resume', 'example-flow', id], env)).code).toBe(0);
    const fired = await flowdeck(['schedules', 'trigger', 'example-flow', id], env);
    expect(fired.stdout).toMatch(/Fired schedule .*: (started|queued)/);
    expect((await flowdeck(['schedules', 'rm', 'example-flow', id], env)).stdout).toContain('was deleted');
    const gone = await flowdeck(['schedules', 'rm', 'example-flow', id], env);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain(id);
  });

  it('previews a cron schedule without creating it', async () => {
    const result = await flowdeck(
      ['schedules', 'preview', 'example-flow', '--cron', '*/5 * * * *', '--count', '3', '--json'],
      env,
    );
    expect(result.code).toBe(0);
    expect(SchedulePreview.parse(JSON.parse(result.stdout)).nextRuns).toHaveLength(3);
  });

  it("previews fire times in the schedule's time zone, and says which zone that is", async () => {
    const fireTimes = (stdout: string) => stdout.split('\n').filter((line) => /^ {2}\d{4}-/.test(line));
    const kolkata = await flowdeck(
      ['schedules', 'preview', 'example-flow', '--cron', '0 3 * * *', '--tz', 'Asia/Kolkata', '--count', '2'],
      env,
    );
    expect(kolkata.code).toBe(0);
    expect(kolkata.stdout).toContain("Next runs in Asia/Kolkata (the schedule's time zone):");
    expect(fireTimes(kolkata.stdout)).toHaveLength(2);
    for (const line of fireTimes(kolkata.stdout)) expect(line).toMatch(/^ {2}\S+ 03:00:00 \+05:30 {2}\(in /);

    // A cron without --tz fires in UTC, whatever zone the terminal is in.
    const utc = await flowdeck(['schedules', 'preview', 'example-flow', '--cron', '0 3 * * *'], {
      ...env,
      TZ: 'Asia/Tokyo',
    });
    expect(utc.stdout).toContain("Next runs in UTC (the schedule's time zone):");
    expect(fireTimes(utc.stdout)[0]).toMatch(/ 03:00:00 \+00:00 /);

    // An interval has no zone of its own: the terminal's is used and named.
    const every = await flowdeck(['schedules', 'preview', 'example-flow', '--every', '1h'], {
      ...env,
      TZ: 'Asia/Tokyo',
    });
    expect(every.stdout).toContain("Next runs in Asia/Tokyo (this computer's time zone):");
    expect(fireTimes(every.stdout)[0]).toMatch(/ \+09:00 /);
  });

  it('exits 2 for a duration it cannot read, and for two specs at once', async () => {
    const bad = await flowdeck(['schedules', 'create', 'example-flow', '--every', '5 minutes'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('write it like 90s, 5m');
    const two = await flowdeck(
      ['schedules', 'create', 'example-flow', '--every', '5m', '--delay', '1m'],
      env,
    );
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('error: give exactly one of cron, every, delay, at');
  });

  it("exits 2 for options the API's schema refuses, naming the option, without calling the server", async () => {
    const nowhere = { FLOWDECK_URL: 'http://127.0.0.1:1' };
    const tooOften = await flowdeck(['schedules', 'create', 'example-flow', '--every', '500ms'], nowhere);
    expect(tooOften.code).toBe(2);
    expect(tooOften.stderr).toMatch(
      /^error: --every: must be at least 1000 ms\nusage: flowdeck schedules create/,
    );
    const noRuns = await flowdeck(
      ['schedules', 'create', 'example-flow', '--cron', '0 3 * * *', '--limit', '0'],
      nowhere,
    );
    expect(noRuns.stderr).toContain('error: --limit: must be at least 1');
    const mars = await flowdeck(
      ['schedules', 'preview', 'example-flow', '--cron', '0 3 * * *', '--tz', 'Mars/Olympus'],
      nowhere,
    );
    expect(mars.code).toBe(2);
    expect(mars.stderr).toContain("--tz: unknown time zone 'Mars/Olympus'");
    const zoned = await flowdeck(
      ['schedules', 'preview', 'example-flow', '--every', '5m', '--tz', 'UTC'],
      nowhere,
    );
    expect(zoned.code).toBe(2);
    expect(zoned.stderr).toContain('--tz: tz applies to cron schedules only');
  });
});

describe('flowdeck list commands', () => {
  it('print { items, nextCursor } with --json, and --cursor prints the next page', async () => {
    const flows = await flowdeck(['flows', 'ls', '--json'], env);
    const flowPage = listed(flows.stdout, FlowList);
    expect(flowPage.items.map((flow) => flow.name)).toContain('example-flow');
    expect(flowPage.nextCursor).toBeNull();

    for (let i = 0; i < 2; i++) await flowdeck(['start', 'example-flow'], env);
    const firstRuns = listed(
      (await flowdeck(['runs', 'ls', 'example-flow', '--limit', '1', '--json'], env)).stdout,
      RunSummary.array(),
    );
    expect(firstRuns.items).toHaveLength(1);
    const nextRuns = await flowdeck(
      ['runs', 'ls', 'example-flow', '--limit', '1', '--cursor', firstRuns.nextCursor!, '--json'],
      env,
    );
    const secondRuns = listed(nextRuns.stdout, RunSummary.array());
    expect(secondRuns.items[0]?.id).not.toBe(firstRuns.items[0]?.id);
    const runTable = await flowdeck(['runs', 'ls', 'example-flow', '--limit', '1'], env);
    expect(runTable.stderr).toContain('More runs follow: add --cursor');

    const body = { every: 3_600_000, input: { retentionDays: 1 }, metadata: { tags: ['cli-cursor'] } };
    const ids = [await createSchedule('cleanup-flow', body), await createSchedule('cleanup-flow', body)];
    const all = listed(
      (await flowdeck(['schedules', 'ls', '--tag', 'cli-cursor', '--json'], env)).stdout,
      ScheduleList,
    );
    expect(all).toMatchObject({ items: [{ id: ids[0] }, { id: ids[1] }], nextCursor: null });
    const first = listed(
      (await flowdeck(['schedules', 'ls', '--tag', 'cli-cursor', '--limit', '1', '--json'], env)).stdout,
      ScheduleList,
    );
    expect(first.items.map((s) => s.id)).toEqual([ids[0]]);
    const second = await flowdeck(
      ['schedules', 'ls', '--tag', 'cli-cursor', '--limit', '1', '--cursor', first.nextCursor!, '--json'],
      env,
    );
    expect(listed(second.stdout, ScheduleList).items.map((s) => s.id)).toEqual([ids[1]]);
    const noLimit = await flowdeck(['schedules', 'ls', '--cursor', first.nextCursor!], env);
    expect(noLimit.code).toBe(2);
    expect(noLimit.stderr).toContain('--cursor goes with --limit');
  });
});

describe('flowdeck run directly', () => {
  it('runs as npx flowdeck from the repository root, with nothing but its own output', async () => {
    const list = await npxFlowdeck(['flows', 'ls', '--json'], env);
    expect(list.code).toBe(0);
    expect(list.stderr).toBe('');
    expect(listed(list.stdout, FlowList).items.length).toBeGreaterThan(0);

    const missing = await npxFlowdeck(['flows', 'show', 'no-such-flow'], env);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('');
    // No pnpm header, no ELIFECYCLE line: the CLI's own error is all there is.
    expect(missing.stderr).toMatch(
      /^error: no flow named 'no-such-flow' is registered\n\(request id [\w-]+\)\n$/,
    );
  });
});

describe('flowdeck flows', () => {
  it('lists flows as a table, and shows one with its steps', async () => {
    const list = await flowdeck(['flows', 'ls'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+STEPS\s+LIVE\s+DESCRIPTION/);
    expect(list.stdout).toContain('example-flow');
    const show = await flowdeck(['--url', api.baseUrl, 'flows', 'show', 'cleanup-flow'], {});
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('retentionDays');
  });

  it('exits 3 naming the flow when it does not exist, and 5 when the API cannot be reached', async () => {
    const missing = await flowdeck(['flows', 'show', 'no-such-flow'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("no flow named 'no-such-flow'");
    const down = await flowdeck(['flows', 'ls', '--url', 'http://127.0.0.1:1'], {});
    expect(down.code).toBe(5);
    expect(down.stderr).toContain('Cannot reach the Flowdeck API');
  });

  it('exits 2 for an unknown command, with the list of commands', async () => {
    const result = await flowdeck(['flows', 'delete'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('schedules create <flow>');
  });
});

describe('flowdeck with tokens', () => {
  it('sends --token or FLOWDECK_TOKEN, and exits 4 with the server message without the needed scope', async () => {
    const tokens = createTokenStore(
      parseTokenSpecs(['viewer:read:viewer-secret-0123456789', 'ci:operate:ci-secret-0123456789'], 'test'),
    );
    const secured = await startTestApi({ worker: false, access: { tokens } });
    try {
      const url = secured.baseUrl;
      const none = await flowdeck(['flows', 'ls', '--url', url], {});
      expect(none.code).toBe(4);
      expect(none.stderr).toContain('this API needs a token');
      expect(none.stderr).toContain('--token or FLOWDECK_TOKEN');

      const me = await flowdeck(['whoami', '--url', url, '--token', 'viewer-secret-0123456789'], {});
      expect(me.stdout.trim()).toBe('viewer (scopes: read)');
      const stale = await flowdeck(['whoami', '--url', url, '--token', 'revoked-secret-0123456789'], {});
      expect(stale.code).toBe(4);
      expect(stale.stderr).toContain('the token is not valid');
      const denied = await flowdeck(['start', 'example-flow', '--url', url], {
        FLOWDECK_TOKEN: 'viewer-secret-0123456789',
      });
      expect(denied.code).toBe(4);
      expect(denied.stderr).toContain("the token 'viewer' has the read scope");

      const started = await flowdeck(['start', 'example-flow', '--json'], {
        FLOWDECK_URL: url,
        FLOWDECK_TOKEN: 'ci-secret-0123456789',
      });
      expect(started.code).toBe(0);
    } finally {
      await secured.close();
    }
  });
});
