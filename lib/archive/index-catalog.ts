// The Catalog port (catalog.ts) over an IndexEngine: the archive tables of archive-schema.ts, the same
// on SQLite (embedded) and Cassandra (cluster). See README.md for the tables and the write order.
import type { Catalog, InstanceRecord, RecordOutcome } from './catalog.ts';
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';
import type { IndexEngine } from '../index-model/index-engine.ts';
import type { Query, QueryResult } from '../dicom-query/query.ts';
import { ARCHIVE_TABLES } from './archive-schema.ts';
import { createKeyedLock } from './keyed-lock.ts';
import { createMetadataCache } from './metadata-cache.ts';
import { keyFromInstanceRow, readHead, recordInstance } from './record-instance.ts';
import { text } from './scan-partition.ts';
import { searchCatalog } from './search-catalog.ts';
import { readInstance, readSeriesInstances } from './series-rows.ts';
import { readSeries, readSeriesOfStudy } from './study-rows.ts';
import { removeVisible } from './write-visible.ts';
import { firstInteger } from '../dicom-query/dicom-values.ts';
import { TAG } from './level-attributes.ts';

export interface IndexCatalogOptions {
  /** Bytes of assembled series metadata kept in memory (0 disables the cache). */
  readonly metadataCacheBytes?: number;
  /** Candidate studies a search examines at most (default 20,000). */
  readonly maxSearchCandidates?: number;
  /** Partitions per study date and name token: studyBucketsFor(platform level); default 8. Part of the
   * key: every catalog of one index must use the same number. */
  readonly studyBuckets?: number;
  /** Clock (tests). */
  readonly now?: () => Date;
}

const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_CANDIDATES = 20_000;

export function createIndexCatalog(engine: IndexEngine, options: IndexCatalogOptions = {}): Catalog {
  const now = options.now ?? (() => new Date());
  const lock = createKeyedLock();
  const cache = createMetadataCache(options.metadataCacheBytes ?? DEFAULT_CACHE_BYTES);
  const maxCandidates = options.maxSearchCandidates ?? DEFAULT_MAX_CANDIDATES;
  const layout = { buckets: options.studyBuckets ?? 8 };
  const seriesKey = (study: string, series: string) => `${study}\u0000${series}`;

  return {
    recordInstance(record: InstanceRecord, opts: { readonly replace: boolean }): Promise<RecordOutcome> {
      // Counts are read-modify-write per study: one writer at a time per study in this process.
      return lock.run(record.studyInstanceUid, async () => {
        try {
          return await recordInstance({ engine, layout, now, claimInBatch: engine.kind === 'sqlite' }, record, opts.replace);
        } finally {
          cache.delete(seriesKey(record.studyInstanceUid, record.seriesInstanceUid));
        }
      });
    },

    async getInstance(sopInstanceUid: string): Promise<InstanceRecord | undefined> {
      const row = await engine.get(ARCHIVE_TABLES.instanceByUid, { sop_instance_uid: sopInstanceUid });
      return row ? readInstance(engine, keyFromInstanceRow(row)) : undefined;
    },

    search(query: Query): Promise<QueryResult> {
      return searchCatalog(engine, query, { maxCandidates, buckets: layout.buckets });
    },

    async listInstances(studyInstanceUid: string, seriesInstanceUid?: string): Promise<readonly InstanceRecord[]> {
      const series = (await readSeriesOfStudy(engine, studyInstanceUid))
        .filter((s) => seriesInstanceUid === undefined || s.seriesInstanceUid === seriesInstanceUid)
        .sort((a, b) => (firstInteger(a.attributes, TAG.SeriesNumber) ?? Infinity) - (firstInteger(b.attributes, TAG.SeriesNumber) ?? Infinity)
          || (a.seriesInstanceUid < b.seriesInstanceUid ? -1 : 1));
      const perSeries = await Promise.all(series.map((s) => readSeriesInstances(engine, studyInstanceUid, s.seriesInstanceUid)));
      return perSeries.flat();
    },

    async seriesMetadata(studyInstanceUid: string, seriesInstanceUid: string): Promise<readonly DicomJsonDataset[]> {
      const view = await readSeries(engine, studyInstanceUid, seriesInstanceUid);
      if (!view) return [];
      const key = seriesKey(studyInstanceUid, seriesInstanceUid);
      const cached = cache.get(key, view.version);
      if (cached) return cached;
      const datasets = (await readSeriesInstances(engine, studyInstanceUid, seriesInstanceUid)).map((r) => r.dataset);
      cache.set(key, view.version, datasets);
      return datasets;
    },

    async isBlobReferenced(sha256: string): Promise<boolean> {
      const page = await engine.scan(ARCHIVE_TABLES.instanceBySha, { sha256 }, { limit: 1 });
      return page.rows.length > 0;
    },

    async deleteInstance(sopInstanceUid: string): Promise<string | undefined> {
      const row = await engine.get(ARCHIVE_TABLES.instanceByUid, { sop_instance_uid: sopInstanceUid });
      if (!row) return undefined;
      const key = keyFromInstanceRow(row);
      return lock.run(key.studyInstanceUid, async () => {
        const head = await readHead(engine, key);
        if (head) await removeVisible(engine, layout, key, text(head, 'sha256'), now());
        await engine.write([{ kind: 'delete', table: ARCHIVE_TABLES.instanceByUid, key: { sop_instance_uid: sopInstanceUid } }]);
        cache.delete(seriesKey(key.studyInstanceUid, key.seriesInstanceUid));
        return head ? text(head, 'sha256') : text(row, 'sha256');
      });
    },
  };
}
