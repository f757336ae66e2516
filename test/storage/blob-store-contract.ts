// One contract suite for every BlobStore (the local disk, the storage cluster): each backend's test
// file calls blobStoreContract() with a factory, like the index engines' suite in test/contract/.
import type { ExecutionContext, TestFn } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobStoreError, type BlobSource, type BlobStore } from '../../lib/blob-store/blob-store.ts';

export interface ContractBackend {
  readonly store: BlobStore;
  /** Damages the stored bytes of one replica (or the only copy) on disk. */
  corrupt(sha256: string): Promise<void>;
  /** Whether the store still answers a full read correctly after one copy was damaged (replicated). */
  readonly survivesOneCorruptCopy: boolean;
  /** Waits until a released blob is gone (grace period) or returns at once when release is immediate. */
  afterRelease(sha256: string): Promise<void>;
  close(): Promise<void>;
}

export function sourceOf(bytes: Buffer): BlobSource {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, open: () => Readable.from([bytes]) };
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function code(error: unknown): string | undefined {
  return error instanceof BlobStoreError ? error.code : undefined;
}

export function blobStoreContract(test: TestFn, name: string, open: () => Promise<ContractBackend>): void {
  const withStore = (title: string, body: (t: ExecutionContext, b: ContractBackend) => Promise<void>) => {
    test(`${name}: ${title}`, async (t) => {
      const backend = await open();
      try { await body(t, backend); } finally { await backend.close(); }
    });
  };

  withStore('put then read back the same bytes; a second put is a no-op', async (t, { store }) => {
    const bytes = randomBytes(300_000);
    const src = sourceOf(bytes);
    const first = await store.put(src);
    t.is(first.existed, false);
    t.true(first.replicas.length >= 1);
    t.deepEqual(await readAll(await store.open(src.sha256)), bytes);
    t.deepEqual(await store.stat(src.sha256), { sha256: src.sha256, size: bytes.length });
    t.is((await store.put(src)).existed, true);
  });

  withStore('an empty blob round-trips', async (t, { store }) => {
    const src = sourceOf(Buffer.alloc(0));
    await store.put(src);
    t.is((await readAll(await store.open(src.sha256))).length, 0);
  });

  withStore('bytes that do not match the announced hash are refused and not stored', async (t, { store }) => {
    const src = { ...sourceOf(randomBytes(1000)), open: () => Readable.from([randomBytes(1000)]) };
    const error = await t.throwsAsync(store.put(src));
    t.is(code(error), 'HASH_MISMATCH');
    t.is(await store.stat(src.sha256), undefined);
  });

  withStore('byte ranges, an empty range, and a range outside the blob', async (t, { store }) => {
    const bytes = randomBytes(100_000);
    const src = sourceOf(bytes);
    await store.put(src);
    t.deepEqual(await readAll(await store.open(src.sha256, { offset: 1234, length: 5000 })), bytes.subarray(1234, 6234));
    t.deepEqual(await readAll(await store.open(src.sha256, { offset: 99_999, length: 1 })), bytes.subarray(99_999));
    t.is((await readAll(await store.open(src.sha256, { offset: 10, length: 0 }))).length, 0);
    t.is(code(await t.throwsAsync(store.open(src.sha256, { offset: 99_000, length: 2000 }))), 'INVALID_RANGE');
  });

  withStore('a missing blob: NOT_FOUND on open, undefined on stat', async (t, { store }) => {
    const missing = createHash('sha256').update('never stored').digest('hex');
    t.is(code(await t.throwsAsync(store.open(missing))), 'NOT_FOUND');
    t.is(await store.stat(missing), undefined);
  });

  withStore('a corrupted copy is never returned as good bytes', async (t, backend) => {
    const bytes = randomBytes(200_000);
    const src = sourceOf(bytes);
    await backend.store.put(src);
    await backend.corrupt(src.sha256);
    if (backend.survivesOneCorruptCopy) {
      t.deepEqual(await readAll(await backend.store.open(src.sha256)), bytes);
      return;
    }
    const error = await t.throwsAsync(async () => readAll(await backend.store.open(src.sha256)));
    t.is(code(error), 'CORRUPT');
  });

  withStore('release removes the bytes (after the grace period)', async (t, backend) => {
    const src = sourceOf(randomBytes(5000));
    await backend.store.put(src);
    await backend.store.release(src.sha256);
    await backend.afterRelease(src.sha256);
    t.is(await backend.store.stat(src.sha256), undefined);
  });

  withStore('concurrent puts of the same blob store it once', async (t, { store }) => {
    const bytes = randomBytes(50_000);
    const src = sourceOf(bytes);
    const results = await Promise.all([store.put(src), store.put(src), store.put(src)]);
    t.true(results.every((r) => r.sha256 === src.sha256));
    t.deepEqual(await readAll(await store.open(src.sha256)), bytes);
  });
}
