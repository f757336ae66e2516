// An LRU of assembled series metadata, bounded by (approximate) bytes. An entry is valid for one version
// of its series row (updated on every ingest into the series, on any node), so a hit costs one small
// row read instead of the whole bundle, and ingest elsewhere can never leave a stale entry in use.
import { LRUCache } from 'lru-cache';
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';

interface Entry {
  readonly version: string;
  readonly datasets: readonly DicomJsonDataset[];
  readonly bytes: number;
}

export interface MetadataCache {
  get(key: string, version: string): readonly DicomJsonDataset[] | undefined;
  set(key: string, version: string, datasets: readonly DicomJsonDataset[]): void;
  delete(key: string): void;
}

export function createMetadataCache(maxBytes: number): MetadataCache {
  if (maxBytes <= 0) return { get: () => undefined, set: () => undefined, delete: () => undefined };
  const lru = new LRUCache<string, Entry>({ maxSize: maxBytes, sizeCalculation: (e) => Math.max(1, e.bytes) });
  return {
    get(key, version) {
      const entry = lru.get(key);
      return entry?.version === version ? entry.datasets : undefined;
    },
    set(key, version, datasets) {
      // UTF-16 length of the JSON, times two: roughly what the parsed objects hold.
      const bytes = JSON.stringify(datasets).length * 2;
      if (bytes <= maxBytes) lru.set(key, { version, datasets, bytes });
    },
    delete(key) {
      lru.delete(key);
    },
  };
}
