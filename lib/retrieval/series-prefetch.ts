// Series prefetch (issue 5): once a read was served from a hospital edge, the rest of that series is
// copied into the city's storage in the background, so the next frames (and the next visit) come from
// the city, even when the edge is down by then. One prefetch per series at a time; at most
// `concurrency` objects in flight over all series; never on the request's path. Each object is
// spooled to a file while its hash is computed, checked, then put (the store checks it again).
// The copies stay: the city's garbage collection asks the catalog (isBlobReferenced), and the instance
// record references exactly these bytes.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Catalog, InstanceRecord } from '../archive/catalog.ts';
import { BlobStoreError, type BlobStore } from '../blob-store/blob-store.ts';
import type { BlobLocation } from './blob-locations.ts';
import type { LocationFetcher } from './routed-blob-store.ts';

export interface SeriesPrefetchOptions {
  readonly catalog: Pick<Catalog, 'listInstances'>;
  readonly city: BlobStore;
  readonly locate: (sha256: string) => Promise<readonly BlobLocation[]>;
  readonly fetcher: LocationFetcher;
  /** Objects fetched at the same time over all series (>= 1). */
  readonly concurrency: number;
  readonly spoolDir: string;
  /** A prefetch that failed (the edge went away): logged, never thrown; the next read tries again. */
  readonly onFailure?: (detail: { readonly seriesInstanceUid: string; readonly sopInstanceUid: string; readonly error: string }) => void;
  readonly onCopied?: (bytes: number) => void;
}

export interface SeriesPrefetch {
  /** Starts copying the series of `location` to the city unless a copy of it is under way. */
  schedule(location: BlobLocation): void;
  /** Resolves when nothing is being prefetched (tests, shutdown). */
  idle(): Promise<void>;
}

class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) { this.free = size; }
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); else this.free += 1;
    }
  }
}

async function spool(stream: Readable, path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(stream, async function* (source: AsyncIterable<Uint8Array>) {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  }, createWriteStream(path));
  return { sha256: hash.digest('hex'), size };
}

export function createSeriesPrefetch(options: SeriesPrefetchOptions): SeriesPrefetch {
  const slots = new Slots(Math.max(1, options.concurrency));
  const running = new Map<string, Promise<void>>();

  async function copyOne(record: InstanceRecord): Promise<void> {
    if (await options.city.stat(record.sha256)) return;
    const location = (await options.locate(record.sha256)).find((l) => l.kind === 'edge');
    if (!location) return;
    const path = join(options.spoolDir, `prefetch-${randomBytes(8).toString('hex')}`);
    try {
      const spooled = await spool(await options.fetcher.fetch(location, record.sha256), path);
      if (spooled.sha256 !== record.sha256) throw new Error(`the edge sent bytes hashing to ${spooled.sha256}`);
      await options.city.put({ sha256: spooled.sha256, size: spooled.size, open: () => createReadStream(path) });
      options.onCopied?.(spooled.size);
    } finally {
      await rm(path, { force: true });
    }
  }

  async function copySeries(location: BlobLocation): Promise<void> {
    await mkdir(options.spoolDir, { recursive: true });
    const records = await options.catalog.listInstances(location.studyInstanceUid, location.seriesInstanceUid);
    // An edge that stopped answering fails every remaining object after its timeout: stop at the first.
    let unreachable = false;
    await Promise.all(records.map((record) => slots.run(() => (unreachable ? Promise.resolve() : copyOne(record))).catch((error: unknown) => {
      if (error instanceof BlobStoreError && error.code === 'UNAVAILABLE') unreachable = true;
      options.onFailure?.({ seriesInstanceUid: record.seriesInstanceUid, sopInstanceUid: record.sopInstanceUid, error: (error as Error).message });
    })));
  }

  return {
    schedule(location) {
      const key = `${location.studyInstanceUid}/${location.seriesInstanceUid}`;
      if (running.has(key)) return;
      const job = copySeries(location)
        .catch((error: unknown) => options.onFailure?.({ seriesInstanceUid: location.seriesInstanceUid, sopInstanceUid: '', error: (error as Error).message }))
        .finally(() => running.delete(key));
      running.set(key, job);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}
