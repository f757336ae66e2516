// The storage cluster as a BlobStore. put() streams the bytes to the replicas placement picks (weighted
// rendezvous over live active nodes, distinct zones first), in parallel over HTTP, and resolves once the
// write quorum holds them durably and the index records where; a failed node is replaced by the next in
// rank. open() asks the index where the replicas are (a read never guesses), reads the nearest live one
// (same zone first) and falls back to the others; a replica that fails verification is reported for read
// repair. Where a blob's replicas are is remembered (a bounded LRU): a read that finds no good replica
// where it remembered asks the index again before it fails or reports anything. release() queues the
// blob; the repair node removes it after the grace period.
import { PassThrough, type Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import { BlobStoreError, type BlobSource, type BlobStat, type BlobStore, type ByteRange, type StoredBlob } from '../lib/blob-store/blob-store.ts';
import { cancelRelease, queueRelease, readReplicas, recordReplica, type IndexAccess, type ReplicaRecord } from '../lib/storage-model/blob-index.ts';
import { rankNodes, spreadZones } from '../lib/storage-model/place-replicas.ts';
import { isPlaceable } from '../lib/storage-model/plan-replication.ts';
import { getBlob, putBlob } from './blob-http-client.ts';
import { readOrder, type ClusterMember, type Members } from './cluster-member.ts';

export interface ClusterStoreDeps {
  readonly index: IndexAccess;
  readonly members: () => Promise<Members>;
  readonly localZone: string;
  readonly secret: string;
  readonly factor: number;
  readonly writeQuorum: number;
  readonly distinctZones: boolean;
  /** A node that sends or accepts no byte for this long is given up. */
  readonly timeoutMs: number;
  /** Called when a replica fails verification or is missing (read repair); must not throw. */
  readonly suspect: (sha256: string, nodeId: string) => void;
  readonly log: { warn(...args: unknown[]): void };
}

interface WriteState {
  succeeded: ClusterMember[];
  errors: BlobStoreError[];
  existed: boolean;
}

/** Writes to `factor` nodes at once, replacing a failed node by the next in rank; resolves as soon as the
 * quorum holds the bytes (stragglers finish and record themselves in the background). */
async function writeReplicas(deps: ClusterStoreDeps, source: BlobSource, ranking: ClusterMember[], quorum: number): Promise<WriteState> {
  const state: WriteState = { succeeded: [], errors: [], existed: true };
  const queue = [...ranking];
  let reached: () => void = () => undefined;
  const quorumReached = new Promise<void>((resolve) => { reached = resolve; });
  const attempt = async (): Promise<void> => {
    const node = queue.shift();
    if (!node) return;
    try {
      const result = await putBlob(node, deps.secret, source, deps.timeoutMs);
      await recordReplica(deps.index, source.sha256, source.size, node.id);
      state.existed &&= result.existed;
      state.succeeded.push(node);
      if (state.succeeded.length === quorum) reached();
    } catch (error) {
      const e = error instanceof BlobStoreError ? error : new BlobStoreError('UNAVAILABLE', (error as Error).message);
      state.errors.push(e);
      if (e.code === 'HASH_MISMATCH') throw e;
      deps.log.warn('replica write failed, trying the next node', { sha256: source.sha256, node: node.id, code: e.code });
      await attempt();
    }
  };
  const all = Promise.all(Array.from({ length: Math.min(deps.factor, ranking.length) }, () => attempt()));
  await Promise.race([all, quorumReached]);
  all.catch((error: unknown) => deps.log.warn('a replica write failed after the quorum', { sha256: source.sha256, error: (error as Error).message }));
  return state;
}

function writeFailure(state: WriteState, quorum: number): BlobStoreError {
  const full = state.errors.length > 0 && state.errors.every((e) => e.code === 'FULL');
  return new BlobStoreError(full ? 'FULL' : 'UNAVAILABLE', `write reached ${state.succeeded.length} of ${quorum} replicas needed`);
}

function emptyStream(): Readable {
  const s = new PassThrough();
  s.end();
  return s;
}

/** Blobs whose replica locations a node remembers (about 200 bytes each). */
const REMEMBERED_BLOBS = 100_000;

/** Reads the nearest live replica of those given, falling back to the others. A replica that fails
 * verification is reported for read repair; one that is missing only when `fresh` (the list came from
 * the index, not from memory). */
async function readReplica(deps: ClusterStoreDeps, sha256: string, range: ByteRange | undefined, recorded: readonly ReplicaRecord[], fresh: boolean): Promise<Readable> {
  const first = recorded[0];
  if (!first) throw new BlobStoreError('NOT_FOUND', `blob ${sha256} is not stored`);
  if (range && (range.offset < 0 || range.length < 0 || range.offset + range.length > first.size)) {
    throw new BlobStoreError('INVALID_RANGE', `range ${range.offset}+${range.length} is outside blob of ${first.size} bytes`);
  }
  if (range?.length === 0) return emptyStream();
  const candidates = readOrder(await deps.members(), recorded.map((r) => r.nodeId), deps.localZone);
  let last: BlobStoreError = new BlobStoreError('UNAVAILABLE', `no live replica of blob ${sha256}`);
  for (const node of candidates) {
    try {
      return await getBlob(node, deps.secret, sha256, range, deps.timeoutMs);
    } catch (error) {
      last = error as BlobStoreError;
      if (last.code === 'CORRUPT' || (fresh && last.code === 'NOT_FOUND')) deps.suspect(sha256, node.id);
    }
  }
  if (last.code === 'NOT_FOUND' || last.code === 'CORRUPT') throw new BlobStoreError(last.code, `no good replica of blob ${sha256} answered`);
  throw last;
}

export function createClusterBlobStore(deps: ClusterStoreDeps): BlobStore {
  const replicaCache = new LRUCache<string, readonly ReplicaRecord[]>({ max: REMEMBERED_BLOBS });
  return {
    async put(source: BlobSource): Promise<StoredBlob> {
      const members = await deps.members();
      const recorded = await readReplicas(deps.index, source.sha256);
      const liveHolders = recorded.filter((r) => members.get(r.nodeId)?.live && r.size === source.size);
      if (liveHolders.length >= deps.writeQuorum) {
        await cancelRelease(deps.index, source.sha256);
        return { sha256: source.sha256, size: source.size, replicas: liveHolders.map((r) => r.nodeId), existed: true };
      }
      const placeable = [...members.values()].filter(isPlaceable);
      const ranking = spreadZones(rankNodes(placeable, source.sha256), deps.distinctZones) as ClusterMember[];
      const quorum = Math.min(deps.writeQuorum, ranking.length || 1);
      const state = await writeReplicas(deps, source, ranking, quorum);
      if (state.succeeded.length < quorum) throw writeFailure(state, quorum);
      await cancelRelease(deps.index, source.sha256);
      replicaCache.delete(source.sha256);
      return { sha256: source.sha256, size: source.size, replicas: state.succeeded.map((n) => n.id), existed: state.existed };
    },

    async open(sha256: string, range?: ByteRange): Promise<Readable> {
      const remembered = replicaCache.get(sha256);
      if (remembered) {
        try {
          return await readReplica(deps, sha256, range, remembered, false);
        } catch (error) {
          // Moved, repaired or released since: the index decides, and only its answer is reported.
          replicaCache.delete(sha256);
          if (!(error instanceof BlobStoreError) || error.code === 'INVALID_RANGE') throw error;
        }
      }
      const recorded = await readReplicas(deps.index, sha256);
      if (recorded.length > 0) replicaCache.set(sha256, recorded);
      return readReplica(deps, sha256, range, recorded, true);
    },

    async stat(sha256: string): Promise<BlobStat | undefined> {
      const first = (await readReplicas(deps.index, sha256))[0];
      return first ? { sha256, size: first.size } : undefined;
    },

    async release(sha256: string): Promise<void> {
      await queueRelease(deps.index, sha256, new Date());
    },
  };
}
