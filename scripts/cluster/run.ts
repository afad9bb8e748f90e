// `npm run test:cluster`: Flowdeck on a real local Redis Cluster (3 masters + 3 replicas) and on
// Redis Sentinel (primary + replica + 3 sentinels), each with 2 API replicas and 3 workers:
// scheduling acceptance through both replicas, a load of every-second schedules, failovers.
// Prints pass/fail per check and exits non-zero if any failed. Sizes come from the environment:
//
//   CLUSTER_TEST_FLOWS=5  CLUSTER_TEST_SCHEDULES=100  CLUSTER_TEST_SECONDS=60
//   CLUSTER_TEST_FAILOVER_SCHEDULES=10  CLUSTER_TEST_ONLY=cluster|sentinel  CLUSTER_TEST_KEEP=1

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedis } from '../lib/ensure.mjs';
import { TICK_FLOWS } from './flows.ts';
import { stopAll } from './processes.ts';
import { Report } from './report.ts';
import { runTopology, type SuiteOptions } from './suite.ts';

function size(name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    process.stderr.write(`${name} must be a whole number from 1 to ${max}, not '${raw}'\n`);
    process.exit(2);
  }
  return value;
}

const only = process.env.CLUSTER_TEST_ONLY;
if (only !== undefined && only !== '' && only !== 'cluster' && only !== 'sentinel') {
  process.stderr.write(`CLUSTER_TEST_ONLY must be 'cluster' or 'sentinel', not '${only}'\n`);
  process.exit(2);
}

ensureRedis();
const dir = mkdtempSync(join(tmpdir(), 'flowdeck-cluster-test-'));
mkdirSync(join(dir, 'logs'));
const options: SuiteOptions = {
  dir,
  load: {
    flows: TICK_FLOWS.slice(0, size('CLUSTER_TEST_FLOWS', 5, TICK_FLOWS.length)),
    schedulesPerFlow: size('CLUSTER_TEST_SCHEDULES', 100),
    seconds: size('CLUSTER_TEST_SECONDS', 60),
  },
  failover: { schedulesPerFlow: size('CLUSTER_TEST_FAILOVER_SCHEDULES', 10), observeMs: 12_000 },
  workerConcurrency: 100,
};

const report = new Report();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping every process started…\n`);
    void stopAll().then(() => process.exit(130));
  });
}

const started = Date.now();
for (const kind of ['cluster', 'sentinel'] as const) {
  if (only && only !== kind) continue;
  await runTopology(kind, options, report);
}
process.stdout.write(`${report.summary()}\n`);
process.stdout.write(`(${Math.round((Date.now() - started) / 1000)} s)\n`);
if (report.failed.length === 0 && !process.env.CLUSTER_TEST_KEEP)
  rmSync(dir, { recursive: true, force: true });
else process.stdout.write(`Redis data and service logs are kept in ${dir}\n`);
process.exit(report.failed.length === 0 ? 0 : 1);
