// The bucket of a study in partitions spread over `buckets` partitions (by date, by name token): a stable
// hash of its UID (FNV-1a), so every writer and reader agrees without coordination. The number of buckets
// follows the platform level (README: sizing); it is part of the key, fixed for the life of an index.
import type { PlatformLevel } from '../../topology/topology-types.ts';

export function studyBucket(studyInstanceUid: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < studyInstanceUid.length; i++) {
    hash ^= studyInstanceUid.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % buckets;
}

export function allBuckets(buckets: number): number[] {
  return Array.from({ length: buckets }, (_, i) => i);
}

/** One partition per day is plenty for one hospital; a city spreads a day over 8, a province over 32. */
export function studyBucketsFor(level: PlatformLevel): number {
  switch (level) {
    case 'embedded':
      return 1;
    case 'city':
      return 8;
    case 'province':
      return 32;
  }
}
