import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../scripts/cluster/processes.ts';
import { Report } from '../../scripts/cluster/report.ts';
import { runTopology } from '../../scripts/cluster/suite.ts';

// The short form of `npm run test:cluster`: every engine path (runs, events, schedules, the
// registry, reconcile) through two API replicas and three workers on a real Redis Cluster, so a
// command or script that touches keys of two slots fails here. Load and failover run in the
// full form only.

describe('Flowdeck on a Redis Cluster of 3 masters and 3 replicas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowdeck-cluster-short-'));
  mkdirSync(join(dir, 'logs'));
  afterAll(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the scheduling acceptance checks through both API replicas, with no CROSSSLOT', async () => {
    const lines: string[] = [];
    const report = new Report((line) => lines.push(line));
    await runTopology(
      'cluster',
      {
        dir,
        short: true,
        load: { flows: [], schedulesPerFlow: 0, seconds: 0 },
        failover: { schedulesPerFlow: 0, observeMs: 0 },
        workerConcurrency: 20,
      },
      report,
    );
    expect(report.results.length).toBeGreaterThan(10);
    expect(report.failed, lines.join('\n')).toEqual([]);
  }, 240_000);
});
