import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApi, type TestApi } from '@flowdeck/api/testing';
import type { RunEvent } from '@flowdeck/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowdeckClient } from '../src/index.ts';

/**
 * A proxy in front of the API that cuts the first event stream once the client has its first
 * event (`cut` resolves), as a flaky network or a restarting load balancer would, and notes
 * each stream's Last-Event-ID.
 */
function flakyProxy(target: string, cut: Promise<void>) {
  const streams: Array<string | undefined> = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const isStream = (req.headers.accept ?? '').includes('text/event-stream');
    if (isStream) streams.push(req.headers['last-event-id'] as string | undefined);
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers: Object.fromEntries(
        Object.entries(req.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      ),
    });
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    const reader = upstream.body!.getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      res.write(value);
      text += new TextDecoder().decode(value);
      if (isStream && streams.length === 1 && /event: \S+\n[\s\S]*?\n\n/.test(text)) {
        await cut;
        await reader.cancel();
        res.destroy();
        return;
      }
    }
    res.end();
  });
  return { server, streams };
}

let api: TestApi;
let proxy: { server: Server; streams: Array<string | undefined> };
let proxyUrl: string;
let firstEventSeen: () => void;
const cut = new Promise<void>((resolve) => {
  firstEventSeen = resolve;
});
beforeAll(async () => {
  api = await startTestApi();
  proxy = flakyProxy(api.baseUrl, cut);
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.server.closeAllConnections();
  await new Promise((resolve) => proxy.server.close(resolve));
  await api.close();
});

describe('following a run', () => {
  it('resumes after a dropped stream from the last event seen, with no event lost or repeated', async () => {
    const direct = createFlowdeckClient({ baseUrl: api.baseUrl });
    const { runId } = await direct.flows.start('example-flow', { records: 1 });
    const client = createFlowdeckClient({ baseUrl: proxyUrl });
    const states: string[] = [];
    const events: RunEvent[] = [];
    let lastBeforeReconnect: string | undefined;
    for await (const event of client.runs.follow('example-flow', runId, {
      retryDelayMs: 10,
      onState: (state) => {
        states.push(state);
        if (state === 'connecting' && events.length > 0) lastBeforeReconnect ??= events.at(-1)!.id;
      },
    })) {
      events.push(event);
      firstEventSeen();
    }
    expect(proxy.streams.length).toBeGreaterThanOrEqual(2);
    expect(proxy.streams[0]).toBeUndefined();
    // The second stream asked for what came after the last event the first one delivered.
    expect(lastBeforeReconnect).toBeDefined();
    expect(proxy.streams[1]).toBe(lastBeforeReconnect);
    expect(states.slice(0, 3)).toEqual(['connecting', 'live', 'connecting']);

    const stored = await direct.runs.events('example-flow', runId);
    expect(events.map((e) => e.id)).toEqual(stored.items.map((e) => e.id));
    expect(events.at(-1)?.type).toBe('run.completed');
  });
});
