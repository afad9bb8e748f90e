import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { type Flow, FlowManifest, type WorkerInfo } from '@flowdeck/types';
import type { EngineContext } from './context.ts';
import { NotFoundError } from './errors.ts';

/**
 * Workers publish their flows' manifests and a heartbeat; the API learns flows and live
 * workers only from here, never by importing worker code. A worker counts as live while
 * its heartbeat is younger than three of its own intervals.
 */

type StoredWorker = Omit<WorkerInfo, 'live'> & { heartbeatMs: number };
export interface VersionedManifest {
  raw: string;
  manifest: FlowManifest;
  /** What `publish` stores under the flow's manifest-version key for this text. */
  version: string;
}
const versionOf = (raw: string) => createHash('sha1').update(raw).digest('hex').slice(0, 16);
/** The version `publish` stores for this manifest. */
export const manifestVersion = (manifest: FlowManifest) => versionOf(JSON.stringify(manifest));
const FORGET_DEAD_WORKERS_AFTER_MS = 24 * 3600_000;

export function createRegistry(ctx: EngineContext) {
  const { redis, keys } = ctx;

  async function publish(worker: StoredWorker, manifests: FlowManifest[]) {
    const pipeline = redis.multi();
    const raws = manifests.map((manifest) => JSON.stringify(manifest));
    manifests.forEach((manifest, i) => {
      pipeline.hset(keys.flows, manifest.name, raws[i]!);
    });
    pipeline.hset(keys.workers, worker.id, JSON.stringify(worker));
    await pipeline.exec();
    // Each in its flow's slot (a cluster takes no transaction across slots), after the manifest.
    await Promise.all(manifests.map((m, i) => redis.set(keys.manifestVersion(m.name), versionOf(raws[i]!))));
  }

  async function heartbeat(worker: StoredWorker) {
    await redis.hset(keys.workers, worker.id, JSON.stringify({ ...worker, heartbeatAt: Date.now() }));
  }

  async function unpublishWorker(workerId: string) {
    await redis.hdel(keys.workers, workerId);
  }

  async function workers(): Promise<WorkerInfo[]> {
    const now = Date.now();
    const stored = Object.values(await redis.hgetall(keys.workers)).map(
      (raw) => JSON.parse(raw) as StoredWorker,
    );
    const forgotten = stored
      .filter((w) => now - w.heartbeatAt > FORGET_DEAD_WORKERS_AFTER_MS)
      .map((w) => w.id);
    if (forgotten.length > 0) await redis.hdel(keys.workers, ...forgotten);
    return stored
      .filter((w) => !forgotten.includes(w.id))
      .map(({ heartbeatMs, ...w }) => ({ ...w, live: now - w.heartbeatAt < heartbeatMs * 3 }));
  }

  /** The last manifest read per flow, kept while its stored text is unchanged: a start skips the parse. */
  const parsed = new Map<string, VersionedManifest>();

  async function versioned(name: string): Promise<VersionedManifest> {
    const raw = await redis.hget(keys.flows, name);
    if (!raw) throw new NotFoundError('flow_not_found', `no flow named '${name}' is registered`);
    const known = parsed.get(name);
    if (known?.raw === raw) return known;
    const fresh = { raw, manifest: FlowManifest.parse(JSON.parse(raw)), version: versionOf(raw) };
    parsed.set(name, fresh);
    return fresh;
  }

  async function manifest(name: string): Promise<FlowManifest> {
    return (await versioned(name)).manifest;
  }

  /**
   * The manifest last read, without a round trip when there is one: for run creation, which
   * checks its version against the stored one in the same script and asks again (`fresh`) when
   * a worker published a new manifest since.
   */
  async function lastManifest(name: string, fresh = false): Promise<VersionedManifest> {
    return (!fresh && parsed.get(name)) || versioned(name);
  }

  async function manifests(): Promise<FlowManifest[]> {
    const all = Object.values(await redis.hgetall(keys.flows)).map((raw) =>
      FlowManifest.parse(JSON.parse(raw)),
    );
    return all.sort((a, b) => a.name.localeCompare(b.name));
  }

  const withWorkers = (m: FlowManifest, all: WorkerInfo[]): Flow => {
    const hosting = all.filter((w) => w.flows.includes(m.name));
    return { ...m, workers: hosting, live: hosting.some((w) => w.live) };
  };

  /** The names of every published flow, sorted, without reading their manifests. */
  async function names(): Promise<string[]> {
    return (await ctx.redis.hkeys(ctx.keys.flows)).sort();
  }

  return {
    publish,
    names,
    heartbeat,
    unpublishWorker,
    workers,
    manifest,
    lastManifest,
    manifests,
    async list(): Promise<Flow[]> {
      const [all, live] = await Promise.all([manifests(), workers()]);
      return all.map((m) => withWorkers(m, live));
    },
    async get(name: string): Promise<Flow> {
      const [m, live] = await Promise.all([manifest(name), workers()]);
      return withWorkers(m, live);
    },
    withWorkers: async (m: FlowManifest): Promise<Flow> => withWorkers(m, await workers()),
  };
}

export type Registry = ReturnType<typeof createRegistry>;

export function newWorkerIdentity(flows: string[], concurrency: number, heartbeatMs: number): StoredWorker {
  const now = Date.now();
  return {
    id: `${hostname()}:${process.pid}:${now.toString(36)}`,
    host: hostname(),
    pid: process.pid,
    flows,
    concurrency,
    startedAt: now,
    heartbeatAt: now,
    heartbeatMs,
  };
}
