import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { describeConnection } from '../src/redis.ts';

describe('the Redis connection settings', () => {
  it('use one Redis at REDIS_URL, or on localhost when nothing is set', () => {
    expect(loadConfig({}).redis).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(loadConfig({ REDIS_URL: 'redis://cache:6380/2' }).redis).toEqual({
      mode: 'single',
      url: 'redis://cache:6380/2',
    });
  });

  it('read a cluster from its seed nodes, with credentials, IPv6 hosts and the default port', () => {
    const { redis } = loadConfig({
      REDIS_CLUSTER_NODES: 'a:7000, b:7001,[::1]:7002,c',
      REDIS_USERNAME: 'flowdeck',
      REDIS_PASSWORD: 's3cret',
    });
    expect(redis).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
        { host: '::1', port: 7002 },
        { host: 'c', port: 6379 },
      ],
      username: 'flowdeck',
      password: 's3cret',
    });
    expect(describeConnection(redis)).toBe('redis cluster a:7000,b:7001,::1:7002,c:6379');
  });

  it('read Sentinel from the sentinels and the master name', () => {
    const { redis } = loadConfig({
      REDIS_SENTINELS: 's1:26379,s2,s3:26380',
      REDIS_SENTINEL_NAME: 'flowdeck',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });
    expect(redis).toEqual({
      mode: 'sentinel',
      masterName: 'flowdeck',
      sentinelPassword: 'sentinel-secret',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: 's3', port: 26380 },
      ],
    });
    expect(describeConnection(redis)).toBe('redis sentinel flowdeck via s1:26379,s2:26379,s3:26380');
  });

  it('refuse Sentinel without a master name, a bad node and more than one kind of Redis', () => {
    expect(() => loadConfig({ REDIS_SENTINELS: 's1:26379' })).toThrow(/REDIS_SENTINEL_NAME: required/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:7000,b:notaport' })).toThrow(
      /REDIS_CLUSTER_NODES: 'b:notaport' is not host:port/,
    );
    expect(() => loadConfig({ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' })).toThrow(
      /REDIS_URL, REDIS_CLUSTER_NODES: set only one of them/,
    );
  });

  it('turn TLS on for every kind of Redis with REDIS_TLS, trusting the CA in REDIS_TLS_CA_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowdeck-ca-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, `${TEST_CA}\n`);
    try {
      const cluster = loadConfig({
        REDIS_CLUSTER_NODES: 'a:7000',
        REDIS_TLS: 'on',
        REDIS_TLS_CA_FILE: ca,
      }).redis;
      expect(cluster).toMatchObject({
        mode: 'cluster',
        tls: { ca: expect.stringContaining('BEGIN CERTIFICATE') },
      });
      expect(describeConnection(cluster)).toBe('redis cluster a:7000 over TLS');
      expect(
        loadConfig({ REDIS_SENTINELS: 's1', REDIS_SENTINEL_NAME: 'm', REDIS_TLS: 'true' }).redis,
      ).toMatchObject({
        mode: 'sentinel',
        tls: {},
      });
      // A rediss:// URL is TLS already; the CA file may go with it.
      expect(loadConfig({ REDIS_URL: 'rediss://cache:6380' }).redis).not.toHaveProperty('tls');
      expect(loadConfig({ REDIS_URL: 'rediss://cache:6380', REDIS_TLS_CA_FILE: ca }).redis).toMatchObject({
        tls: { ca: expect.any(String) },
      });
      expect(loadConfig({ REDIS_URL: 'redis://cache:6380' }).redis).not.toHaveProperty('tls');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuse a CA file without TLS, one that cannot be read or holds no certificate, and TLS both off and on', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://cache:6380', REDIS_TLS_CA_FILE: '/etc/hosts' })).toThrow(
      /REDIS_TLS_CA_FILE: set, but TLS is off \(set REDIS_TLS=on or use a rediss:\/\/ URL\)/,
    );
    expect(() => loadConfig({ REDIS_TLS: 'on', REDIS_TLS_CA_FILE: '/no/such/ca.pem' })).toThrow(
      /REDIS_TLS_CA_FILE: cannot read \/no\/such\/ca.pem/,
    );
    expect(() => loadConfig({ REDIS_TLS: 'on', REDIS_TLS_CA_FILE: '/etc/hosts' })).toThrow(
      /REDIS_TLS_CA_FILE: \/etc\/hosts holds no PEM certificate/,
    );
    expect(() => loadConfig({ REDIS_TLS: 'off', REDIS_URL: 'rediss://cache:6380' })).toThrow(
      /REDIS_TLS: off, but REDIS_URL is a rediss:\/\/ \(TLS\) URL/,
    );
    expect(() => loadConfig({ REDIS_TLS: 'yes please' })).toThrow(/REDIS_TLS/);
  });

  it('never print a password when describing where Redis is', () => {
    expect(describeConnection(loadConfig({ REDIS_URL: 'redis://u:pw@cache:6380' }).redis)).toBe(
      'redis redis://cache:6380',
    );
  });
});

/** A certificate authority's certificate (no key): what REDIS_TLS_CA_FILE holds. */
const TEST_CA = `-----BEGIN CERTIFICATE-----
MIIDBTCCAe2gAwIBAgIUQrhoBMlHgmXywEOJ9C2/ahfxTeIwDQYJKoZIhvcNAQEL
BQAwEjEQMA4GA1UEAwwHdGVzdC1jYTAeFw0yNjExMjcwNjUzMjhaFw0yNjExMjkw
NjUzMjhaMBIxEDAOBgNVBAMMB3Rlc3QtY2EwggEiMA0GCSqGSIb3DQEBAQUAA4IB
DwAwggEKAoIBAQCjQ4G8jL0zQxqaWm3vikRhwXnwh+7fJueQ0KTgWyE/u8QH22L0
OCoyoOBpHEL7HA4smZl4jF117xSjlnQorca+cx3PQZ/zpIJuqzSgm/d63jpwC4Ii
BA0fxDGatK/ew4Efh5K1BHxna/PnTSBuXuMKQ+qiwfkwhVkJkrxF3zmiOHfySpnB
kPdCrP2xaHwdgBrwOdwzxbzcxJ57+hbQF60JIp+TlzGLI57FDyRzcUrz+dLsgdfn
0gT0osY8htfzdBdxEDQNQcpTdI+7oPtJnJ9AM3pEGWeNNw1KcuFVjU5fyCScbO3A
WTw69d1oN/uTJLCBDmMLTBda+oF1Xq+m+hgzAgMBAAGjUzBRMB0GA1UdDgQWBBQJ
uTNdKF/eWrXJR1lYIXo0+cks/zAfBgNVHSMEGDAWgBQJuTNdKF/eWrXJR1lYIXo0
+cks/zAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQA2Q0yBs7Qk
HrP7zHQmED4NAcLZbinbVsGzoCFGJrah63TCOis5oxpSgNSnlQpDliYwAlgCEhZc
Pbag8i5zteACZH25pYeaoImFRk9AUWWVdPXanR9JipGQ5dW8LBq2aeDccvs55zWC
ivW9XVcB24MdYffmfyKE7YNZ8259+Y3wa+Y5u1vpQ9ubDwgPAmwVqqO5roWKxIUz
/nLwo3h9Td10YE3SN6rYX63GIHPQJCdpvlEHMOApKCMnUTcOftWbocUrzic6gcaa
IaPj/TKgrNin+c1Nk6baEVMecIOmIPVG4qgmlKm7X+IYSsB8e+XD5c0raScEjNJU
9dg3QxkxWM62
-----END CERTIFICATE-----`;
