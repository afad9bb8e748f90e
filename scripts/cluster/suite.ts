// The whole cluster test for one topology: start Redis (a cluster, or a primary with a replica
// and sentinels), two API replicas and three workers, then the acceptance checks, the load
// check and the failover check(s); stop everything, also when a step fails.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptance } from './acceptance.ts';
import { type Failure, failoverTest } from './failover.ts';
import { TICK_FLOWS } from './flows.ts';
import { type LoadSize, loadTest, slotMap } from './load.ts';
import { outageTest } from './outage.ts';
import { stopAll, waitFor } from './processes.ts';
import type { Report } from './report.ts';
import { keySlot } from './slots.ts';
import { type Stack, startStack } from './stack.ts';
import {
  type ClusterNodeInfo,
  cli,
  type RedisClusterTopology,
  type SentinelTopology,
  startCluster,
  startSentinel,
} from './topology.ts';

export interface SuiteOptions {
  /** Where Redis keeps its data and every process its log. */
  dir: string;
  load: LoadSize;
  failover: { schedulesPerFlow: number; observeMs: number };
  workerConcurrency: number;
  /** The short form in `npm test`: acceptance checks only, no load and no failover. */
  short?: boolean;
}

const FLOWS_WITH_KEYS = ['registry {fd}', ...TICK_FLOWS, 'example-flow', 'flaky-flow', 'cleanup-flow'];
const tagOf = (name: string) => (name.startsWith('registry') ? '{fd}' : `{fd:${name}}`);
const owns = (node: ClusterNodeInfo, slot: number) =>
  node.slots.some(([from, to]) => slot >= from && slot <= to);

function clusterFailure(topology: RedisClusterTopology): () => Promise<Failure> {
  return async () => {
    // The master that holds the registry (and two tick flows): the hardest one to lose.
    const masters = await topology.masters();
    const victim = masters.find((m) => owns(m, keySlot('{fd}')));
    if (!victim) throw new Error('no master holds the registry slot');
    return {
      label: `kill -9 master 127.0.0.1:${victim.port} (slots ${victim.slots.map(([f, t]) => `${f}-${t}`).join(',')})`,
      flowsOnVictim: FLOWS_WITH_KEYS.filter((name) => owns(victim, keySlot(tagOf(name)))),
      act: () => topology.node(victim.port).proc.kill(),
      async takenOver() {
        const next = (await topology.masters()).find(
          (m) => m.id !== victim.id && victim.slots.every(([from, to]) => owns(m, from) && owns(m, to)),
        );
        return next !== undefined && (await cli(next.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok');
      },
    };
  };
}

function sentinelFailure(topology: SentinelTopology, how: 'failover' | 'kill'): () => Promise<Failure> {
  return async () => {
    const old = await topology.currentMaster();
    const other = topology.nodes.find((n) => n.port !== old && n.proc.alive);
    if (!other) throw new Error('no replica left');
    await waitFor('the replica to be in sync', async () => {
      const info = await cli(other.port, 'INFO', 'replication');
      return info.includes(`master_port:${old}`) && info.includes('master_link_status:up') ? true : undefined;
    });
    const takenOver = async () => {
      const now = await topology.currentMaster();
      return now !== old && (await cli(now, 'ROLE')).startsWith('master');
    };
    const sentinel = topology.sentinels[0]!;
    return how === 'failover'
      ? {
          label: `SENTINEL FAILOVER ${topology.masterName} (primary 127.0.0.1:${old} hands over to 127.0.0.1:${other.port})`,
          flowsOnVictim: FLOWS_WITH_KEYS,
          act: async () => {
            await cli(sentinel.port, 'SENTINEL', 'FAILOVER', topology.masterName);
          },
          takenOver,
        }
      : {
          label: `kill -9 primary 127.0.0.1:${old} (replica 127.0.0.1:${other.port} is promoted)`,
          flowsOnVictim: FLOWS_WITH_KEYS,
          act: () => topology.node(old).proc.kill(),
          takenOver,
        };
  };
}

/** Checks every service process after the scenarios: still running, no CROSSSLOT, clean exit. */
async function afterwards(stack: Stack, report: Report) {
  const services = stack.services();
  await report.check('every API replica and worker kept running (none crashed)', async () => {
    const dead = services.filter((p) => !p.alive);
    if (dead.length > 0) throw new Error(dead.map((p) => `${p.name} exited:\n${p.lastLines()}`).join('\n'));
    return undefined;
  });
  const logs = services.map((p) => ({
    name: p.name,
    text: readFileSync(join(stack.logDir, `${p.name}.log`), 'utf8'),
  }));
  await report.check('no command or script touched keys of two slots (no CROSSSLOT in any log)', async () => {
    const hits = logs.filter((l) => /CROSSSLOT/.test(l.text));
    if (hits.length > 0) throw new Error(`CROSSSLOT in ${hits.map((h) => h.name).join(', ')}`);
    return undefined;
  });
  for (const log of logs) {
    const lines = log.text.split('\n');
    const warn = lines.filter((l) => l.includes('"level":"warn"')).length;
    const error = lines.filter((l) => l.includes('"level":"error"')).length;
    if (warn + error > 0)
      report.note(
        `${log.name}: ${warn} warnings, ${error} errors logged (see ${join(stack.logDir, `${log.name}.log`)})`,
      );
  }
  await report.check('API replicas and workers stop on SIGTERM with exit code 0', async () => {
    const codes = await Promise.all(services.map(async (p) => [p.name, await p.stop(20_000)] as const));
    const bad = codes.filter(([, code]) => code !== 0);
    if (bad.length > 0) throw new Error(bad.map(([name, code]) => `${name}: ${code}`).join(', '));
    return undefined;
  });
}

export async function runTopology(
  kind: 'cluster' | 'sentinel',
  options: SuiteOptions,
  report: Report,
): Promise<void> {
  const title =
    kind === 'cluster'
      ? 'Redis Cluster (3 masters + 3 replicas)'
      : 'Redis Sentinel (primary + replica, 3 sentinels)';
  report.heading(`${title}: start`);
  const baseDir = join(options.dir, kind);
  const logDir = join(options.dir, 'logs');
  try {
    let stack: Stack | undefined;
    const started = await report.check(
      `start ${kind === 'cluster' ? 'the cluster' : 'Sentinel'}, 2 API replicas and 3 workers`,
      async () => {
        const t0 = Date.now();
        const topology =
          kind === 'cluster'
            ? await startCluster({ baseDir, logDir, masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 2000 })
            : await startSentinel({ baseDir, logDir, masterName: 'flowdeck', downAfterMs: 1000 });
        const t1 = Date.now();
        stack = await startStack({
          topology,
          logDir,
          apiReplicas: 2,
          concurrency: options.workerConcurrency,
          label: kind,
        });
        return `Redis ready in ${t1 - t0} ms (${topology.kind === 'cluster' ? `nodes ${topology.seeds}` : `sentinels ${topology.seeds}`}); services in ${Date.now() - t1} ms; logs in ${logDir} (kept when a check fails, or with CLUSTER_TEST_KEEP=1)`;
      },
    );
    if (!started || !stack) return;
    for (const line of (await slotMap(stack)).lines) report.note(line);

    report.heading(`${title}: scheduling acceptance through both API replicas`);
    await acceptance(stack, report);

    if (!options.short) {
      report.heading(`${title}: load`);
      await loadTest(stack, report, options.load);
    }

    const failovers: [string, () => Promise<Failure>][] = options.short
      ? []
      : stack.topology.kind === 'cluster'
        ? [['a master is killed', clusterFailure(stack.topology)]]
        : [
            ['Sentinel hands over the primary', sentinelFailure(stack.topology, 'failover')],
            ['the primary is killed', sentinelFailure(stack.topology, 'kill')],
          ];
    for (const [name, failure] of failovers) {
      report.heading(`${title}: failover — ${name}`);
      await failoverTest(stack, report, { flows: TICK_FLOWS, ...options.failover }, failure);
    }

    if (!options.short) {
      report.heading(`${title}: every Redis node stops and comes back`);
      await outageTest(stack, report, TICK_FLOWS);
    }

    report.heading(`${title}: afterwards`);
    await afterwards(stack, report);
  } catch (error) {
    report.record(
      'the scenario ran to its end',
      false,
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
  } finally {
    await stopAll();
  }
}
