import { RunEvent, RunEventList, StartFlowResponse } from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, readProblem, readSse, startTestApi, type TestApi, waitForRunToFinish } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

async function startRun(flowName: string, input: unknown): Promise<string> {
  const response = await api.fetch(`/api/_flows/${flowName}/start`, postJson(input));
  return StartFlowResponse.parse(await response.json()).runId;
}

const eventsPath = (flowName: string, runId: string) => `/api/_flows/${flowName}/runs/${runId}/events`;
const sse = { headers: { accept: 'text/event-stream' } };

describe('run events as JSON', () => {
  it('lists a finished run events oldest first, from run.started to run.completed', async () => {
    const runId = await startRun('cleanup-flow', { retentionDays: 30 });
    await waitForRunToFinish(api, 'cleanup-flow', runId);
    const response = await api.fetch(eventsPath('cleanup-flow', runId));
    expect(response.status).toBe(200);
    const { items } = RunEventList.parse(await response.json());
    const types = items.map((e) => e.type);
    expect(types[0]).toBe('run.started');
    expect(types).toContain('step.log');
    expect(types.at(-1)).toBe('run.completed');
  });

  it('returns only the events after ?after=', async () => {
    const runId = await startRun('cleanup-flow', { retentionDays: 30 });
    await waitForRunToFinish(api, 'cleanup-flow', runId);
    const all = RunEventList.parse(await (await api.fetch(eventsPath('cleanup-flow', runId))).json()).items;
    const after = all[1]!.id;
    const rest = RunEventList.parse(
      await (await api.fetch(`${eventsPath('cleanup-flow', runId)}?after=${after}`)).json(),
    );
    expect(rest.items.map((e) => e.id)).toEqual(all.slice(2).map((e) => e.id));
  });

  it('answers 400 naming ?after= for an id that is not an event position, such as a stream id', async () => {
    const runId = await startRun('cleanup-flow', { retentionDays: 1 });
    for (const after of ['1718000000000-0', 'yesterday', '-1']) {
      const response = await api.fetch(`${eventsPath('cleanup-flow', runId)}?after=${after}`);
      expect(response.status).toBe(400);
      const problem = await readProblem(response);
      expect(problem.code).toBe('invalid_request');
      expect(problem.errors?.map((e) => e.path)).toEqual(['query.after']);
    }
  });
});

describe('run events as Server-Sent Events', () => {
  it('streams the stored events then the live ones, and ends after run.completed', async () => {
    const runId = await startRun('example-flow', { records: 1 });
    const response = await api.fetch(eventsPath('example-flow', runId), sse);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);

    // The body ends only when the server ends the stream: after the terminal event.
    const { messages } = await readSse(response);
    const events = messages.map((m) => RunEvent.parse(JSON.parse(m.data)));
    expect(events[0]!.type).toBe('run.started');
    expect(events.at(-1)!.type).toBe('run.completed');
    expect(events.filter((e) => e.type === 'step.completed').map((e) => e.step)).toHaveLength(4);
    for (const [i, message] of messages.entries()) {
      expect(message.id).toBe(events[i]!.id);
      expect(message.event).toBe(events[i]!.type);
    }
    // The stream was opened right after the start, so most events arrived live: they match the store.
    const stored = RunEventList.parse(await (await api.fetch(eventsPath('example-flow', runId))).json());
    expect(events.map((e) => e.id)).toEqual(stored.items.map((e) => e.id));
  });

  it('ends after run.failed for a run that fails', async () => {
    const runId = await startRun('flaky-flow', { failForGood: true });
    const { messages } = await readSse(await api.fetch(eventsPath('flaky-flow', runId), sse));
    const types = messages.map((m) => m.event);
    expect(types).toContain('step.retry');
    expect(types.at(-1)).toBe('run.failed');
  });

  it('resumes after Last-Event-ID, and a finished run ends the stream at once', async () => {
    const runId = await startRun('cleanup-flow', { retentionDays: 1 });
    await waitForRunToFinish(api, 'cleanup-flow', runId);
    const first = await readSse(await api.fetch(eventsPath('cleanup-flow', runId), sse));
    const resumeFrom = first.messages[1]!.id!;

    const resumed = await readSse(
      await api.fetch(eventsPath('cleanup-flow', runId), {
        headers: { ...sse.headers, 'last-event-id': resumeFrom },
      }),
    );
    expect(resumed.messages.map((m) => m.id)).toEqual(first.messages.slice(2).map((m) => m.id));

    // Reconnecting after the last event (as EventSource does when a stream ends) gets an empty, ended stream.
    const lastId = first.messages.at(-1)!.id!;
    const after = await readSse(
      await api.fetch(eventsPath('cleanup-flow', runId), {
        headers: { ...sse.headers, 'last-event-id': lastId },
      }),
    );
    expect(after.messages).toEqual([]);
  });

  it('answers 400 for a Last-Event-ID that is not an event id, such as a stream id', async () => {
    const runId = await startRun('cleanup-flow', { retentionDays: 1 });
    for (const lastEventId of ['yesterday', '1718000000000-0']) {
      const response = await api.fetch(eventsPath('cleanup-flow', runId), {
        headers: { ...sse.headers, 'last-event-id': lastEventId },
      });
      expect(response.status).toBe(400);
      expect((await readProblem(response)).errors?.[0]?.path).toBe('headers.last-event-id');
    }
  });

  it('answers 404 problem+json, not a stream, for an unknown run', async () => {
    const response = await api.fetch(eventsPath('cleanup-flow', 'no-such-run'), sse);
    expect(response.status).toBe(404);
    expect((await readProblem(response)).code).toBe('run_not_found');
  });
});
