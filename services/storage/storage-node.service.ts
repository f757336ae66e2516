// `storage`, on nodes with the `storage` role: control actions over this node's disk (addressed by
// nodeID: usage, list, verify, quarantine, remove, fetch), the scrubber, and the node's metrics. Bytes
// never travel through these actions: `fetch` makes this node read a blob from another node over HTTP.
import type { Context, ServiceSchema } from 'moleculer';
import type { DiskStore } from '../../storage-nodes/disk-store.ts';
import { getBlob, type NodeEndpoint } from '../../storage-nodes/blob-http-client.ts';
import { scrubForever } from '../../storage-nodes/scrub-disk.ts';
import { readNodeStates, NODE_STATES, type IndexAccess, type NodeState } from '../../lib/storage-model/blob-index.ts';
import type { StorageNodeMetrics } from '../../monitoring/storage-metrics.ts';

export interface StorageNodeDeps {
  readonly nodeId: string;
  readonly zone: string;
  readonly store: DiskStore;
  readonly secret: string;
  readonly metrics: StorageNodeMetrics;
  readonly index: IndexAccess;
  readonly scrubBytesPerSecond: number;
  readonly timeoutMs: number;
  /** The node's operator state, kept current by this service (blob routes refuse writes when drained). */
  readonly state: { current: NodeState };
  /** Volume compaction (storage-nodes/volume-store.ts): after every scrub pass and as `storage.compact`. */
  readonly compact?: () => Promise<{ readonly volumes: readonly number[]; readonly reclaimedBytes: number }>;
}

interface Logger { warn(...args: unknown[]): void; info(...args: unknown[]): void }
interface This { logger: Logger; broker: { emit(event: string, payload: unknown): Promise<void> } }

const REFRESH_MS = 2000;

async function refresh(deps: StorageNodeDeps): Promise<void> {
  const usage = await deps.store.usage();
  deps.metrics.capacity.set(usage.capacityBytes);
  deps.metrics.used.set(usage.usedBytes);
  deps.metrics.objects.set(usage.objects);
  deps.metrics.fillRatio.set(usage.capacityBytes > 0 ? usage.usedBytes / usage.capacityBytes : 0);
  deps.state.current = (await readNodeStates(deps.index)).get(deps.nodeId) ?? 'active';
  for (const s of NODE_STATES) deps.metrics.nodeState.set({ state: s }, s === deps.state.current ? 1 : 0);
}

async function fetchFrom(deps: StorageNodeDeps, sha256: string, size: number, from: NodeEndpoint): Promise<{ existed: boolean }> {
  if (await deps.store.stat(sha256)) return { existed: true };
  const body = await getBlob(from, deps.secret, sha256, undefined, deps.timeoutMs);
  try {
    const stored = await deps.store.put({ sha256, size, open: () => body });
    return { existed: stored.existed };
  } finally {
    body.destroy();
  }
}

export function createStorageNodeService(deps: StorageNodeDeps): ServiceSchema {
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'storage',
    actions: {
      usage: {
        async handler() {
          return { nodeId: deps.nodeId, zone: deps.zone, state: deps.state.current, ...(await deps.store.usage()) };
        },
      },
      list: { handler: (ctx: Context<{ bucket: string }>) => deps.store.listBucket(ctx.params.bucket) },
      verify: { handler: async (ctx: Context<{ sha256: string }>) => (await deps.store.verify(ctx.params.sha256)) ?? null },
      quarantine: { handler: (ctx: Context<{ sha256: string }>) => deps.store.quarantine(ctx.params.sha256) },
      remove: { handler: (ctx: Context<{ sha256: string }>) => deps.store.remove(ctx.params.sha256) },
      compact: { handler: async () => (await deps.compact?.()) ?? { volumes: [], reclaimedBytes: 0 } },
      fetch: {
        handler: (ctx: Context<{ sha256: string; size: number; from: NodeEndpoint }>) => fetchFrom(deps, ctx.params.sha256, ctx.params.size, ctx.params.from),
      },
    },
    started(this: This) {
      const log = this.logger;
      const tick = () => { refresh(deps).catch((error: unknown) => log.warn('storage node refresh failed', { error: (error as Error).message })); };
      tick();
      timer = setInterval(tick, REFRESH_MS);
      const broker = this.broker;
      void scrubForever({
        store: deps.store, bytesPerSecond: deps.scrubBytesPerSecond, signal: stop.signal, restPauseMs: 60_000, log,
        afterPass: async () => {
          const report = await deps.compact?.();
          if (report && report.volumes.length > 0) log.info('volumes compacted', report);
        },
        onVerified: (bytes) => deps.metrics.scrubVerifiedBytes.inc(bytes),
        onCorrupt: async (sha256) => {
          deps.metrics.scrubCorruptBlobs.inc();
          await broker.emit('blob.suspect', { sha256, nodeId: deps.nodeId });
        },
      }).catch((error: unknown) => log.warn('scrubber stopped', { error: (error as Error).message }));
    },
    stopped() {
      stop.abort();
      if (timer) clearInterval(timer);
    },
  };
}
