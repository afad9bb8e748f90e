import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs helpers without types, shared with npm start
import { freePort } from '../../../scripts/lib/redis.mjs';
// @ts-expect-error: plain .mjs helpers without types, shared with npm start
import { spawnGuarded } from '../../../scripts/lib/util.mjs';
import { loadConfig } from '../src/config.ts';
import { createEngine } from '../src/engine.ts';
import { defineFlow } from '../src/flow.ts';
import { startWorker } from '../src/worker.ts';

// Real redis-servers that speak only TLS, with a certificate from a private CA made here by
// openssl: one node, a cluster of three masters (cluster bus over TLS too), and a primary with
// a sentinel. The connection settings come from loadConfig, as the processes read them.

const run = promisify(execFile);
const HOST = '127.0.0.1';
const dir = mkdtempSync(join(tmpdir(), 'flowdeck-tls-'));
const file = (name: string) => join(dir, name);
const servers: ReturnType<typeof spawnGuarded>[] = [];

async function makeCertificates() {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=flowdeck test CA',
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'redis.key',
    '-out',
    'redis.csr',
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(file('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    'redis.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'redis.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
}

const tlsArgs = () => [
  '--tls-cert-file',
  file('redis.crt'),
  '--tls-key-file',
  file('redis.key'),
  '--tls-ca-cert-file',
  file('ca.crt'),
  '--tls-auth-clients',
  'no',
];

const cli = (port: number, ...args: string[]) =>
  run('redis-cli', ['--tls', '--cacert', file('ca.crt'), '-h', HOST, '-p', String(port), ...args], {
    timeout: 10_000,
  }).then((r) => r.stdout.trim());

/** A redis-server with no plain TCP port, only TLS on `port`. */
async function startTlsRedis(name: string, port: number, extra: string[] = []) {
  const server = spawnGuarded(
    'redis-server',
    [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      HOST,
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      // A file, not the pipe nobody reads (a full pipe would stall the server).
      '--logfile',
      file(`${name}.log`),
      ...tlsArgs(),
      ...extra,
    ],
    { cwd: dir },
  );
  servers.push(server);
  for (let i = 0; i < 100; i++) {
    if ((await cli(port, 'PING').catch(() => '')) === 'PONG') return;
    await sleep(100);
  }
  throw new Error(`${name} did not answer PING over TLS`);
}

/** Polls `ready` every 100 ms for 10 s; fails naming what never happened. */
async function waitUntil(what: string, ready: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await ready()) return;
    await sleep(100);
  }
  throw new Error(`${what} did not happen within 10 s`);
}

const echoFlow = defineFlow({
  name: 'tls-flow',
  description: 'two steps, so a run goes through the step queue',
  steps: {
    first: { handler: ({ input }) => ({ got: input }) },
    second: { needs: ['first'], handler: ({ outputs }) => outputs.first },
  },
});

/** A worker and an engine from the settings a process would read; one run, to its end. */
async function runOnce(env: Record<string, string>) {
  const { redis } = loadConfig(env);
  const settings = {
    redis,
    prefix: `tls${randomBytes(3).toString('hex')}`,
    retention: { maxRuns: 100, maxAgeMs: 86_400_000 },
    heartbeatMs: 1000,
  };
  const worker = await startWorker({ ...settings, flows: [echoFlow], concurrency: 2, shutdownGraceMs: 1000 });
  const engine = createEngine(settings);
  try {
    const { runId } = await engine.startFlow('tls-flow', { n: 7 }, { trigger: { type: 'api' } });
    for (let i = 0; i < 100; i++) {
      const run = await engine.runs.get('tls-flow', runId);
      if (run.status === 'completed' || run.status === 'failed') return run;
      await sleep(100);
    }
    throw new Error('the run did not end');
  } finally {
    await worker.close();
    await engine.close();
  }
}

/** What an engine from these settings reports as its Redis health. */
async function healthWith(env: Record<string, string>) {
  const { redis } = loadConfig(env);
  const engine = createEngine({
    redis,
    prefix: 'tlshealth',
    retention: { maxRuns: 10, maxAgeMs: 1000 },
    heartbeatMs: 1000,
  });
  try {
    return await engine.health();
  } finally {
    await engine.close().catch(() => {});
  }
}

describe('Redis over TLS with a private certificate authority', () => {
  let single: number;
  let clusterSeeds: string;
  let primary: number;
  let sentinel: number;

  beforeAll(async () => {
    await makeCertificates();
    single = await freePort();
    await startTlsRedis('single', single);
    const ports = [await freePort(), await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      await startTlsRedis(`cluster-${i}`, port, [
        '--cluster-enabled',
        'yes',
        '--tls-cluster',
        'yes',
        '--tls-replication',
        'yes',
        '--cluster-config-file',
        file(`nodes-${i}.conf`),
        // A bus port of its own: the default (port + 10000) may be taken or out of range.
        '--cluster-port',
        String(await freePort()),
        '--cluster-node-timeout',
        '2000',
      ]);
    }
    await run(
      'redis-cli',
      [
        '--tls',
        '--cacert',
        file('ca.crt'),
        '--cluster',
        'create',
        ...ports.map((p) => `${HOST}:${p}`),
        '--cluster-yes',
      ],
      { timeout: 60_000 },
    );
    await waitUntil('the TLS cluster becoming ready on every node', async () => {
      const states = await Promise.all(ports.map((p) => cli(p, 'CLUSTER', 'INFO').catch(() => '')));
      return states.every((s) => s.includes('cluster_state:ok') && s.includes('cluster_known_nodes:3'));
    });
    clusterSeeds = ports.map((p) => `${HOST}:${p}`).join(',');
    // A primary and one sentinel watching it, both TLS only.
    primary = await freePort();
    await startTlsRedis('primary', primary, ['--tls-replication', 'yes']);
    sentinel = await freePort();
    writeFileSync(
      file('sentinel.conf'),
      [
        'port 0',
        `tls-port ${sentinel}`,
        `bind ${HOST}`,
        `tls-cert-file ${file('redis.crt')}`,
        `tls-key-file ${file('redis.key')}`,
        `tls-ca-cert-file ${file('ca.crt')}`,
        'tls-auth-clients no',
        'tls-replication yes',
        `logfile ${file('sentinel.log')}`,
        `sentinel monitor flowdeck ${HOST} ${primary} 1`,
        '',
      ].join('\n'),
    );
    servers.push(spawnGuarded('redis-server', [file('sentinel.conf'), '--sentinel'], { cwd: dir }));
    await waitUntil('the sentinel naming the primary', async () => {
      const named = await cli(sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'flowdeck').catch(() => '');
      return named.includes(String(primary));
    });
  }, 60_000);

  afterAll(() => {
    for (const server of servers) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a flow on one Redis with REDIS_TLS=on and the CA from REDIS_TLS_CA_FILE', async () => {
    const run = await runOnce({
      REDIS_URL: `redis://${HOST}:${single}`,
      REDIS_TLS: 'on',
      REDIS_TLS_CA_FILE: file('ca.crt'),
    });
    expect(run.status).toBe('completed');
    expect(run.output).toEqual({ second: { got: { n: 7 } } });
  });

  it('runs a flow on a rediss:// URL with the CA file', async () => {
    const run = await runOnce({ REDIS_URL: `rediss://${HOST}:${single}`, REDIS_TLS_CA_FILE: file('ca.crt') });
    expect(run.status).toBe('completed');
  });

  it('runs a flow on a Redis Cluster whose nodes speak only TLS', async () => {
    const run = await runOnce({
      REDIS_CLUSTER_NODES: clusterSeeds,
      REDIS_TLS: 'on',
      REDIS_TLS_CA_FILE: file('ca.crt'),
    });
    expect(run.status).toBe('completed');
    expect(run.output).toEqual({ second: { got: { n: 7 } } });
  });

  it('runs a flow on the primary a sentinel names, both over TLS', async () => {
    const run = await runOnce({
      REDIS_SENTINELS: `${HOST}:${sentinel}`,
      REDIS_SENTINEL_NAME: 'flowdeck',
      REDIS_TLS: 'on',
      REDIS_TLS_CA_FILE: file('ca.crt'),
    });
    expect(run.status).toBe('completed');
  });

  it('reports the untrusted certificate in health when the private CA is not given', async () => {
    const health = await healthWith({ REDIS_URL: `redis://${HOST}:${single}`, REDIS_TLS: 'on' });
    expect(health.redis.ok).toBe(false);
    expect(health.redis.error).toMatch(/^cannot connect: .*certificate/i);
  });

  it('answers health at once for a Cluster it cannot reach (no CA), naming the node', async () => {
    // ioredis keeps a cluster node's TLS error to itself; the node's address is what is known.
    const health = await healthWith({ REDIS_CLUSTER_NODES: clusterSeeds, REDIS_TLS: 'on' });
    expect(health.redis.ok).toBe(false);
    expect(health.redis.error).toMatch(/^cannot connect: .*\(127\.0\.0\.1:\d+\)$/);
  });

  it('refuses a plain connection to a TLS-only port instead of hanging', async () => {
    const health = await healthWith({ REDIS_URL: `redis://${HOST}:${single}` });
    expect(health.redis.ok).toBe(false);
    // The TLS port drops a plain client's bytes and closes the connection.
    expect(health.redis.error).toMatch(/^cannot connect: /);
  });
});
