import { describe, expect, it } from 'vitest';
import { loadWorkerSettings } from '../src/settings.ts';

describe("the worker's settings", () => {
  it('host every loaded flow by default, or the names in FLOWDECK_WORKER_FLOWS', () => {
    expect(loadWorkerSettings({}).workerFlows).toBeUndefined();
    expect(
      loadWorkerSettings({ FLOWDECK_WORKER_FLOWS: 'video-encode, thumbnails,video-encode' }).workerFlows,
    ).toEqual(['video-encode', 'thumbnails']);
  });

  it('refuse names that are not flow names', () => {
    expect(() => loadWorkerSettings({ FLOWDECK_WORKER_FLOWS: 'ok-flow,Not A Flow' })).toThrow(
      /FLOWDECK_WORKER_FLOWS: not flow names: Not A Flow/,
    );
  });

  it('default to the examples, 10 steps at once and a check every minute', () => {
    expect(loadWorkerSettings({})).toMatchObject({
      redis: { mode: 'single', url: 'redis://127.0.0.1:6379' },
      prefix: 'fd',
      examples: true,
      concurrency: 10,
      shutdownGraceMs: 30_000,
      stallTimeoutMs: 30_000,
      checkIntervalMs: 60_000,
    });
    expect(() => loadWorkerSettings({ FLOWDECK_CHECK_INTERVAL_MS: '500' })).toThrow(
      /FLOWDECK_CHECK_INTERVAL_MS: expected 0 \(off\) or at least 1000/,
    );
  });

  it("leave the API's settings to the API", () => {
    expect(() => loadWorkerSettings({ TRUST_PROXY: 'the-proxy', PORT: 'none' })).not.toThrow();
  });
});
