import { describe, expect, it } from 'vitest';
import { loadApiSettings } from '../src/settings.ts';

const DAY = 86_400_000;

describe("the API's settings", () => {
  it('listen on 127.0.0.1:3000 and use the Redis and prefix every process shares', () => {
    expect(loadApiSettings({})).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      redis: { mode: 'single', url: 'redis://127.0.0.1:6379' },
      prefix: 'fd',
      shutdownGraceMs: 30_000,
    });
    expect(() => loadApiSettings({ REDIS_SENTINELS: 's1' })).toThrow(/REDIS_SENTINEL_NAME: required/);
    expect(() => loadApiSettings({ PORT: '70000' })).toThrow(/Invalid configuration:\n {2}PORT: /);
  });

  it("leave the worker's settings to the worker", () => {
    expect(() =>
      loadApiSettings({ WORKER_CONCURRENCY: 'lots', FLOWDECK_WORKER_FLOWS: 'Not A Flow' }),
    ).not.toThrow();
  });

  it('read the audit limits from FLOWDECK_AUDIT_*, refusing a hard cap below the count', () => {
    const { access } = loadApiSettings({
      FLOWDECK_AUDIT_RETENTION_DAYS: '30',
      FLOWDECK_AUDIT_HARD_MAX_ENTRIES: '5000',
    });
    expect(access).toMatchObject({
      auditMaxEntries: 1000,
      auditRetentionMs: 30 * DAY,
      auditHardMaxEntries: 5000,
    });
    expect(loadApiSettings({}).access).toMatchObject({
      auditRetentionMs: 90 * DAY,
      auditHardMaxEntries: 100_000,
    });
    expect(() =>
      loadApiSettings({ FLOWDECK_AUDIT_MAX_ENTRIES: '2000', FLOWDECK_AUDIT_HARD_MAX_ENTRIES: '1000' }),
    ).toThrow('FLOWDECK_AUDIT_HARD_MAX_ENTRIES: 1000 is below FLOWDECK_AUDIT_MAX_ENTRIES (2000)');
  });

  it('parse TRUST_PROXY as off, on, hops or proxy addresses', () => {
    const trust = (value?: string) => loadApiSettings({ TRUST_PROXY: value }).access.trustProxy;
    expect(trust()).toBe(false);
    expect(trust('off')).toBe(false);
    expect(trust('on')).toBe(true);
    expect(trust('1')).toBe(1);
    expect(trust('loopback, 10.0.0.0/8,::1')).toEqual(['loopback', '10.0.0.0/8', '::1']);
    expect(() => trust('proxy.example')).toThrow(/TRUST_PROXY: .*proxy\.example/);
  });

  it('parse FLOWDECK_ALLOWED_HOSTS as host names, refusing URLs', () => {
    const hosts = (value?: string) => loadApiSettings({ FLOWDECK_ALLOWED_HOSTS: value }).access.allowedHosts;
    expect(hosts()).toEqual([]);
    expect(hosts('Flowdeck.Example.com, .internal,[::1]')).toEqual([
      'flowdeck.example.com',
      '.internal',
      '::1',
    ]);
    expect(() => hosts('https://flowdeck.example.com')).toThrow(/FLOWDECK_ALLOWED_HOSTS: not host names/);
  });
});
