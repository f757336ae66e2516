// The edge's local archive, independent of the city's index: a SQLite index of its own in the data
// directory, a volume store under <dataDir>/edge-blobs (a put is acknowledged after its fsync), the
// upload queue in <dataDir>/edge-queue.sqlite, and the one ingest path (ingestInstance) on a catalog
// that commits the queue row with the index entry. So the edge validates objects exactly as the city
// does, keeps frame offsets and DICOM JSON, and a C-STORE success means "durable here and queued".
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Registry } from 'prom-client';
import { createSqliteEngine } from '../../adapters/index-sqlite/index.ts';
import type { Catalog } from '../../lib/archive/catalog.ts';
import { createIndexCatalog } from '../../lib/archive/index-catalog.ts';
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import { studyBucketsFor } from '../../lib/archive/study-bucket.ts';
import type { NodeRuntime } from '../../lib/config/resolve-node.ts';
import { createQueueingCatalog, reconcileStaged } from '../../lib/edge/queueing-catalog.ts';
import { openUploadQueue, type UploadQueue } from '../../lib/edge/upload-queue.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { PLATFORM_SCHEMA } from '../../lib/index-model/platform-schema.ts';
import { ingestInstance } from '../../lib/ingest/ingest-instance.ts';
import type { IngestContext, IngestDeps, IngestResult } from '../../lib/ingest/ingest-types.ts';
import { createArchiveMetrics, instrumentIndexEngine, observeIngest } from '../../monitoring/archive-metrics.ts';
import { createVolumeStore, type VolumeStore } from '../../storage-nodes/volume-store.ts';

export interface EdgeArchive {
  readonly archive: NodeArchive;
  /** The local catalog without the queue hook (retention deletes through it). */
  readonly catalog: Catalog;
  readonly blobs: VolumeStore;
  readonly queue: UploadQueue;
  close(): Promise<void>;
}

export interface OpenEdgeArchiveInput {
  readonly runtime: NodeRuntime;
  readonly registry: Registry;
  /** Called when a row became pending. */
  readonly onQueued: () => void;
}

export async function openEdgeArchive(input: OpenEdgeArchiveInput): Promise<EdgeArchive> {
  const { runtime } = input;
  const { dataDir, config, node } = runtime;
  const spoolDir = join(dataDir, 'spool');
  // Spool files of a previous run were never indexed: nothing references them.
  await rm(spoolDir, { recursive: true, force: true });
  await mkdir(spoolDir, { recursive: true });
  const engine: IndexEngine = createSqliteEngine({ file: join(dataDir, 'edge-index.sqlite'), schema: PLATFORM_SCHEMA });
  const queue = openUploadQueue(join(dataDir, 'edge-queue.sqlite'));
  const blobs = createVolumeStore({ root: join(dataDir, 'edge-blobs'), nodeId: node.id, maxFillRatio: config.storageMaxFillRatio, recoverNow: true });
  try {
    await engine.migrate();
    const metrics = createArchiveMetrics(input.registry);
    const catalog = createIndexCatalog(instrumentIndexEngine(engine, metrics.indexQueryDuration), { studyBuckets: studyBucketsFor('embedded') });
    await reconcileStaged(catalog, queue, Date.now);
    const queueing = createQueueingCatalog(catalog, queue, { onQueued: input.onQueued });
    const deps: IngestDeps = {
      blobs, catalog: queueing, spoolDir, replaceDuplicates: config.replaceDuplicates === 'true',
      defaultCharacterSet: config.defaultCharacterSet, maxObjectBytes: config.maxObjectBytes,
    };
    const archive: NodeArchive = {
      catalog: queueing, blobs, spoolDir,
      async ingest(body: Readable, context: IngestContext): Promise<IngestResult> {
        const started = process.hrtime.bigint();
        const result = await ingestInstance(deps, body, context);
        observeIngest(metrics, context.source, result, Number(process.hrtime.bigint() - started) / 1e9);
        return result;
      },
    };
    return {
      archive, catalog, blobs, queue,
      async close() {
        await blobs.close();
        queue.close();
        await engine.close();
      },
    };
  } catch (error) {
    queue.close();
    await Promise.allSettled([blobs.close(), engine.close()]);
    throw error;
  }
}
