// The retrieval router on in-memory stores: the order cache -> city -> locations, falling back to the
// next location, NOT_FOUND versus UNAVAILABLE, the source tag on every stream, and the byte-bounded
// frame cache (hits, misses, eviction).
import test from 'ava';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobStoreError, type BlobStore, type ByteRange } from '../../lib/blob-store/blob-store.ts';
import type { BlobLocation } from '../../lib/retrieval/blob-locations.ts';
import { createFrameCache } from '../../lib/retrieval/frame-cache.ts';
import { createRoutedBlobStore, type LocationFetcher } from '../../lib/retrieval/routed-blob-store.ts';
import { sourceOf } from '../../lib/retrieval/retrieval-source.ts';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function slice(bytes: Buffer, range?: ByteRange): Buffer {
  return range ? bytes.subarray(range.offset, range.offset + range.length) : bytes;
}

/** A blob store in memory (test double of the city's store). */
function memoryStore(): BlobStore & { readonly blobs: Map<string, Buffer>; opens: number } {
  const blobs = new Map<string, Buffer>();
  const store = {
    blobs, opens: 0,
    put: async (source: { sha256: string; size: number; open(): Readable }) => {
      const chunks: Buffer[] = [];
      for await (const c of source.open()) chunks.push(c as Buffer);
      blobs.set(source.sha256, Buffer.concat(chunks));
      return { sha256: source.sha256, size: source.size, replicas: ['mem'], existed: false };
    },
    open: (s: string, range?: ByteRange) => {
      store.opens += 1;
      const bytes = blobs.get(s);
      return bytes ? Promise.resolve(Readable.from([slice(bytes, range)])) : Promise.reject(new BlobStoreError('NOT_FOUND', `no blob ${s}`));
    },
    stat: (s: string) => Promise.resolve(blobs.has(s) ? { sha256: s, size: blobs.get(s)?.length ?? 0 } : undefined),
    release: () => Promise.resolve(),
  };
  return store;
}

type Behaviour = Buffer | 'absent' | 'unavailable';

/** A fetcher whose answer per location source the test sets. */
function fakeFetcher(behaviour: Map<string, Behaviour>): LocationFetcher & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch(location, _sha256, range) {
      calls.push(location.source);
      const b = behaviour.get(location.source) ?? 'absent';
      if (b === 'absent') return Promise.reject(new BlobStoreError('NOT_FOUND', 'not here'));
      if (b === 'unavailable') return Promise.reject(new BlobStoreError('UNAVAILABLE', `hospital ${location.hospitalId}: the edge is not connected (timeout 1 s)`));
      return Promise.resolve(Readable.from([slice(b, range)]));
    },
  };
}

function location(sha256: string, kind: 'edge' | 'remote', hospitalId: string): BlobLocation {
  return {
    sha256, kind, hospitalId, source: `${kind}:${hospitalId}`, nodeId: `${kind}-${hospitalId}`,
    studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4', sopInstanceUid: '1.2.3.4.5', size: 0,
  };
}

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

const bytes = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(10));
const hash = sha(bytes);

test('the city first, then the edge; every stream names its source', async (t) => {
  const city = memoryStore();
  const behaviour = new Map<string, Behaviour>([['edge:h1', bytes]]);
  const fetcher = fakeFetcher(behaviour);
  const served: BlobLocation[] = [];
  const router = createRoutedBlobStore({
    city, locate: (s) => Promise.resolve([location(s, 'edge', 'h1')]), fetchers: { edge: fetcher }, onServedOutside: (l) => served.push(l),
  });
  const fromEdge = await router.open(hash, { offset: 10, length: 5 });
  t.is(sourceOf(fromEdge), 'edge');
  t.deepEqual(await read(fromEdge), bytes.subarray(10, 15));
  t.deepEqual(served.map((l) => l.source), ['edge:h1']);
  city.blobs.set(hash, bytes);
  const fromCity = await router.open(hash);
  t.is(sourceOf(fromCity), 'city');
  t.deepEqual(await read(fromCity), bytes);
  t.deepEqual(fetcher.calls, ['edge:h1'], 'the edge is not asked once the city has the bytes');
});

test('an unavailable location falls back to the next one', async (t) => {
  const fetchers = fakeFetcher(new Map<string, Behaviour>([['edge:h1', 'unavailable'], ['remote:h1', bytes]]));
  const router = createRoutedBlobStore({
    city: memoryStore(), locate: (s) => Promise.resolve([location(s, 'edge', 'h1'), location(s, 'remote', 'h1')]),
    fetchers: { edge: fetchers, remote: fetchers },
  });
  const stream = await router.open(hash);
  t.is(sourceOf(stream), 'remote');
  t.deepEqual(await read(stream), bytes);
  t.deepEqual(fetchers.calls, ['edge:h1', 'remote:h1']);
});

test('absent everywhere is NOT_FOUND; held only by an unreachable edge is UNAVAILABLE naming it', async (t) => {
  const behaviour = new Map<string, Behaviour>([['edge:h1', 'absent']]);
  const router = createRoutedBlobStore({ city: memoryStore(), locate: (s) => Promise.resolve([location(s, 'edge', 'h1')]), fetchers: { edge: fakeFetcher(behaviour) } });
  const absent = await t.throwsAsync(router.open(hash), { instanceOf: BlobStoreError });
  t.is(absent.code, 'NOT_FOUND');
  behaviour.set('edge:h1', 'unavailable');
  const down = await t.throwsAsync(router.open(hash), { instanceOf: BlobStoreError });
  t.is(down.code, 'UNAVAILABLE');
  t.regex(down.message, /hospital h1/);
  const noLocations = createRoutedBlobStore({ city: memoryStore(), locate: () => Promise.resolve([]), fetchers: {} });
  t.is((await t.throwsAsync(noLocations.open(hash), { instanceOf: BlobStoreError })).code, 'NOT_FOUND');
  const noFetcher = createRoutedBlobStore({ city: memoryStore(), locate: (s) => Promise.resolve([location(s, 'edge', 'h1')]), fetchers: {} });
  const unreachable = await t.throwsAsync(noFetcher.open(hash), { instanceOf: BlobStoreError });
  t.is(unreachable.code, 'UNAVAILABLE', 'a node without a connection to edges says so rather than "not found"');
});

test('range reads are cached: the second read is a hit from the cache, even with the edge gone', async (t) => {
  const behaviour = new Map<string, Behaviour>([['edge:h1', bytes]]);
  const fetcher = fakeFetcher(behaviour);
  const results: string[] = [];
  const cache = createFrameCache({ maxBytes: 1000, maxItemBytes: 100 });
  t.truthy(cache);
  const router = createRoutedBlobStore({
    city: memoryStore(), locate: (s) => Promise.resolve([location(s, 'edge', 'h1')]), fetchers: { edge: fetcher },
    ...(cache ? { cache } : {}), onCacheLookup: (r) => results.push(r),
  });
  const range = { offset: 20, length: 50 };
  const first = await router.open(hash, range);
  t.is(sourceOf(first), 'edge');
  t.deepEqual(await read(first), bytes.subarray(20, 70));
  behaviour.set('edge:h1', 'unavailable');
  const second = await router.open(hash, range);
  t.is(sourceOf(second), 'cache');
  t.deepEqual(await read(second), bytes.subarray(20, 70));
  t.deepEqual(results, ['miss', 'hit']);
  // A whole object and a range over the item limit never go through the cache.
  await t.throwsAsync(router.open(hash));
  await t.throwsAsync(router.open(hash, { offset: 0, length: 200 }));
  t.deepEqual(results, ['miss', 'hit']);
  t.is(fetcher.calls.length, 3);
});

test('the cache stays within its byte bound and evicts the least recently used ranges', async (t) => {
  const city = memoryStore();
  city.blobs.set(hash, bytes);
  const cache = createFrameCache({ maxBytes: 100, maxItemBytes: 40 });
  if (!cache) return t.fail('cache off');
  const results: string[] = [];
  const router = createRoutedBlobStore({ city, locate: () => Promise.resolve([]), fetchers: {}, cache, onCacheLookup: (r) => results.push(r) });
  for (let i = 0; i < 8; i++) {
    await read(await router.open(hash, { offset: i * 40, length: 40 }));
    t.true(cache.heldBytes <= 100, `held ${cache.heldBytes} bytes`);
  }
  t.is(cache.heldBytes, 80);
  const opensBefore = city.opens;
  t.is(sourceOf(await router.open(hash, { offset: 7 * 40, length: 40 })), 'cache');
  t.is(sourceOf(await router.open(hash, { offset: 0, length: 40 })), 'city', 'the oldest range was evicted');
  t.is(city.opens, opensBefore + 1);
  t.deepEqual(results.slice(-2), ['hit', 'miss']);
  t.is(createFrameCache({ maxBytes: 0, maxItemBytes: 40 }), undefined, '0 turns the cache off');
  return undefined;
});
