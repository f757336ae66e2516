// The retrieval router (issue 5): a BlobStore over the city's own that finds bytes wherever they are.
// open() tries, in order: the frame cache (range reads), the city's storage, then every place
// `blob_locations` names outside the city (a hospital edge, a pass-through source), falling back to the
// next on failure. Each stream it returns is tagged with its source (retrieval-source.ts). A blob absent
// everywhere is NOT_FOUND; one only an unreachable place holds is UNAVAILABLE with that place's reason,
// so the protocol adapters answer 503 / a failed sub-operation at once rather than hang.
// Writes, stat and release are the city's: the router never stores at an edge.
import { Readable } from 'node:stream';
import { BlobStoreError, type BlobStore, type ByteRange } from '../blob-store/blob-store.ts';
import type { BlobLocation, LocationKind } from './blob-locations.ts';
import type { FrameCache } from './frame-cache.ts';
import { sourceOf, tagSource } from './retrieval-source.ts';

/** Reads bytes from one place outside the city. Rejects with BlobStoreError: NOT_FOUND (not there),
 * UNAVAILABLE (did not answer in time, not connected), INVALID_RANGE. */
export interface LocationFetcher {
  fetch(location: BlobLocation, sha256: string, range?: ByteRange): Promise<Readable>;
}

/** The fetcher of hospital edges (services/retrieval/nats-edge-fetcher.ts). */
export type EdgeFetcher = LocationFetcher;

export interface RoutedBlobStoreOptions {
  readonly city: BlobStore;
  readonly locate: (sha256: string) => Promise<readonly BlobLocation[]>;
  /** Per kind of location; a location whose kind has no fetcher is skipped (its bytes are unreachable from here). */
  readonly fetchers: Partial<Record<LocationKind, LocationFetcher>>;
  readonly cache?: FrameCache;
  readonly onCacheLookup?: (result: 'hit' | 'miss') => void;
  /** Called when a read was served from outside the city (the series prefetch starts here). Never awaited. */
  readonly onServedOutside?: (location: BlobLocation) => void;
}

function isCode(error: unknown, ...codes: readonly string[]): error is BlobStoreError {
  return error instanceof BlobStoreError && codes.includes(error.code);
}

/** Passes the range through while keeping a copy; caches it once it arrived whole. */
function fillingCache(stream: Readable, cache: FrameCache, sha256: string, range: ByteRange): Readable {
  async function* copy(): AsyncGenerator<Buffer> {
    const kept: Buffer[] = [];
    let length = 0;
    for await (const chunk of stream) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      if (length + bytes.length <= range.length) kept.push(bytes);
      length += bytes.length;
      yield bytes;
    }
    if (length === range.length) cache.set(sha256, range, Buffer.concat(kept, length));
  }
  return tagSource(Readable.from(copy()), sourceOf(stream));
}

export function createRoutedBlobStore(options: RoutedBlobStoreOptions): BlobStore {
  const { city, cache } = options;

  async function fromOutside(sha256: string, range: ByteRange | undefined, cityError: BlobStoreError): Promise<Readable> {
    let unavailable: BlobStoreError | undefined = cityError.code === 'UNAVAILABLE' ? cityError : undefined;
    for (const location of await options.locate(sha256)) {
      const fetcher = options.fetchers[location.kind];
      if (!fetcher) {
        unavailable = new BlobStoreError('UNAVAILABLE', `the bytes are kept at ${location.source}, which this node has no connection to`);
        continue;
      }
      try {
        const stream = tagSource(await fetcher.fetch(location, sha256, range), location.kind);
        options.onServedOutside?.(location);
        return stream;
      } catch (error) {
        if (isCode(error, 'UNAVAILABLE')) unavailable = error;
        else if (!isCode(error, 'NOT_FOUND', 'CORRUPT')) throw error;
      }
    }
    throw unavailable ?? cityError;
  }

  async function route(sha256: string, range: ByteRange | undefined): Promise<Readable> {
    try {
      return tagSource(await city.open(sha256, range), 'city');
    } catch (error) {
      if (!isCode(error, 'NOT_FOUND', 'UNAVAILABLE')) throw error;
      return fromOutside(sha256, range, error);
    }
  }

  return {
    put: (source) => city.put(source),
    stat: (sha256) => city.stat(sha256),
    release: (sha256) => city.release(sha256),
    async open(sha256, range) {
      if (!cache?.admits(range)) return route(sha256, range);
      const hit = cache.get(sha256, range);
      options.onCacheLookup?.(hit ? 'hit' : 'miss');
      if (hit) return tagSource(Readable.from([hit]), 'cache');
      return fillingCache(await route(sha256, range), cache, sha256, range);
    },
  };
}
