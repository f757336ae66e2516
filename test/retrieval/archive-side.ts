// One side of the retrieval tests (the city, or a hospital edge): an archive on a SQLite index of its
// own and a volume store in a temp dir, with the one ingest path, as the embedded node composes it.
import { join } from 'node:path';
import { createSqliteEngine } from '../../adapters/index-sqlite/index.ts';
import { createIndexCatalog } from '../../lib/archive/index-catalog.ts';
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import type { BlobStore } from '../../lib/blob-store/blob-store.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { PLATFORM_SCHEMA } from '../../lib/index-model/platform-schema.ts';
import { ingestInstance } from '../../lib/ingest/ingest-instance.ts';
import { createVolumeStore } from '../../storage-nodes/volume-store.ts';
import { tempDir } from '../helpers/processes.ts';

export interface ArchiveSide {
  readonly engine: IndexEngine;
  readonly blobs: BlobStore;
  readonly archive: NodeArchive;
  close(): Promise<void>;
}

export async function openArchiveSide(name: string): Promise<ArchiveSide> {
  const dir = tempDir(`retrieval-${name}`);
  const engine = createSqliteEngine({ file: join(dir, 'index.sqlite'), schema: PLATFORM_SCHEMA });
  await engine.migrate();
  const blobs = createVolumeStore({ root: join(dir, 'blobs'), nodeId: name });
  const catalog = createIndexCatalog(engine, { studyBuckets: 1 });
  const spoolDir = join(dir, 'spool');
  const deps = { blobs, catalog, spoolDir, replaceDuplicates: false, defaultCharacterSet: 'GB18030', maxObjectBytes: 2 ** 30 };
  return {
    engine, blobs,
    archive: { catalog, blobs, spoolDir, ingest: (body, context) => ingestInstance(deps, body, context) },
    close: async () => { await blobs.close(); await engine.close(); },
  };
}
