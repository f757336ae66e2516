// Composes the archive of a node (NodeArchive: catalog, blob store, the ingest path) for the roles that
// serve DICOM: api, dimse, ingest, retrieval. Decision D10 (docs/decisions.md): the catalog runs on an
// index engine in this process: the index node's own engine (the one SQLite file in the embedded
// default), or a Cassandra session of the node's own elsewhere. This module never migrates.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ServiceBroker } from 'moleculer';
import { createIndexCatalog } from '../../lib/archive/index-catalog.ts';
import { studyBucketsFor } from '../../lib/archive/study-bucket.ts';
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import type { NodeRuntime } from '../../lib/config/resolve-node.ts';
import { ConfigError } from '../../lib/config/load-config.ts';
import { characterSetOf } from '../../lib/dicom/character-sets.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { ingestInstance } from '../../lib/ingest/ingest-instance.ts';
import type { IngestContext, IngestDeps, IngestResult } from '../../lib/ingest/ingest-types.ts';
import { instrumentIndexEngine, observeIngest, type ArchiveMetrics } from '../../monitoring/archive-metrics.ts';
import { selectBlobStore } from './select-blob-store.ts';

export const ARCHIVE_ROLES = ['api', 'dimse', 'ingest', 'retrieval'] as const;

export function needsArchive(runtime: NodeRuntime): boolean {
  return runtime.node.roles.some((r) => (ARCHIVE_ROLES as readonly string[]).includes(r));
}

export interface OpenArchiveInput {
  readonly runtime: NodeRuntime;
  readonly broker: ServiceBroker;
  readonly metrics: ArchiveMetrics;
  readonly adminToken: string;
  /** The engine of the node's index service, when it has the index role. */
  readonly engine?: IndexEngine;
  /** Opens an engine of the node's own (Cassandra) when it has no index role. */
  readonly openEngine: () => Promise<IndexEngine>;
}

export interface OpenedArchive {
  readonly archive: NodeArchive;
  /** The engine the catalog runs on, for other tables of the platform schema (edges, locations). */
  readonly engine: IndexEngine;
  /** Closes what the archive opened itself (a Cassandra session of its own), never the index service's engine. */
  close(): Promise<void>;
}

async function archiveEngine(input: OpenArchiveInput): Promise<{ engine: IndexEngine; owned: boolean }> {
  if (input.engine) return { engine: input.engine, owned: false };
  if (input.runtime.index.engine === 'sqlite') {
    throw new Error(`node ${input.runtime.node.id}: with the SQLite index, the archive roles (${ARCHIVE_ROLES.join(', ')}) must run on the index node: the SQLite file belongs to one process`);
  }
  return { engine: await input.openEngine(), owned: true };
}

function ingestSettings(runtime: NodeRuntime): Pick<IngestDeps, 'replaceDuplicates' | 'defaultCharacterSet' | 'maxObjectBytes'> {
  const { config } = runtime;
  if (!characterSetOf(config.defaultCharacterSet)) {
    throw new ConfigError([`YY_DEFAULT_CHARACTER_SET: "${config.defaultCharacterSet}" is not a supported DICOM character set (e.g. GB18030, ISO_IR 192, ISO_IR 100)`]);
  }
  return { replaceDuplicates: config.replaceDuplicates === 'true', defaultCharacterSet: config.defaultCharacterSet, maxObjectBytes: config.maxObjectBytes };
}

export async function openArchive(input: OpenArchiveInput): Promise<OpenedArchive> {
  const { runtime, broker, metrics } = input;
  const settings = ingestSettings(runtime);
  const spoolDir = join(runtime.dataDir, 'spool');
  // Spool files of a previous run were never indexed: nothing references them.
  await rm(spoolDir, { recursive: true, force: true });
  await mkdir(spoolDir, { recursive: true });
  const blobs = selectBlobStore(runtime, broker, { adminToken: input.adminToken, ...(input.engine ? { engine: input.engine } : {}) });
  const { engine, owned } = await archiveEngine(input);
  const catalog = createIndexCatalog(instrumentIndexEngine(engine, metrics.indexQueryDuration), {
    studyBuckets: studyBucketsFor(runtime.topology.platform.level),
  });
  const deps: IngestDeps = { blobs, catalog, spoolDir, ...settings };
  const archive: NodeArchive = {
    catalog, blobs, spoolDir,
    async ingest(body: Readable, context: IngestContext): Promise<IngestResult> {
      const started = process.hrtime.bigint();
      const result = await ingestInstance(deps, body, context);
      observeIngest(metrics, context.source, result, Number(process.hrtime.bigint() - started) / 1e9);
      return result;
    },
  };
  return { archive, engine, close: async () => { if (owned) await engine.close(); } };
}
