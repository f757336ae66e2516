// The local disk store: the BlobStore contract, plus what only a disk has (fill level, usage, crash
// leftovers, verification of large blobs as they stream).
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobStoreError } from '../../lib/blob-store/blob-store.ts';
import { createDiskStore } from '../../storage-nodes/disk-store.ts';
import { tempDir } from '../helpers/processes.ts';
import { blobStoreContract, readAll, sourceOf } from './blob-store-contract.ts';

async function flipByte(root: string, sha256: string, at: number): Promise<void> {
  const handle = await openFile(join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256), 'r+');
  try {
    const b = Buffer.alloc(1);
    await handle.read(b, 0, 1, at);
    b[0] = (b[0] ?? 0) ^ 0xff;
    await handle.write(b, 0, 1, at);
  } finally { await handle.close(); }
}

for (const verifyBeforeSendBytes of [16 * 1024 * 1024, 1024]) {
  blobStoreContract(test, `disk store (verify before send up to ${verifyBeforeSendBytes} B)`, () => {
    const root = tempDir('disk-store');
    const store = createDiskStore({ root, nodeId: 'disk-1', verifyBeforeSendBytes });
    return Promise.resolve({
      store, survivesOneCorruptCopy: false,
      corrupt: (sha256: string) => flipByte(root, sha256, 100),
      afterRelease: () => Promise.resolve(),
      close: () => Promise.resolve(),
    });
  });
}

test('writes above the fill level are refused with FULL; usage counts bytes and objects', async (t) => {
  const root = tempDir('disk-full');
  const store = createDiskStore({ root, nodeId: 'disk-1', capacityBytes: 100_000, maxFillRatio: 0.5 });
  await store.put(sourceOf(randomBytes(30_000)));
  t.deepEqual(await store.usage(), { capacityBytes: 100_000, usedBytes: 30_000, objects: 1 });
  const error = await t.throwsAsync(store.put(sourceOf(randomBytes(30_000))));
  t.true(error instanceof BlobStoreError && error.code === 'FULL');
  const small = sourceOf(randomBytes(10_000));
  await store.put(small);
  t.deepEqual(await store.usage(), { capacityBytes: 100_000, usedBytes: 40_000, objects: 2 });
  t.true(await store.remove(small.sha256));
  t.deepEqual(await store.usage(), { capacityBytes: 100_000, usedBytes: 30_000, objects: 1 });
});

test('a restarted store counts what is on disk, drops crash leftovers and lists its blobs', async (t) => {
  const root = tempDir('disk-restart');
  const first = createDiskStore({ root, nodeId: 'disk-1' });
  const blobs = [sourceOf(randomBytes(1000)), sourceOf(randomBytes(2000))];
  for (const b of blobs) await first.put(b);
  mkdirSync(join(root, 'tmp'), { recursive: true });
  writeFileSync(join(root, 'tmp', 'interrupted.part'), randomBytes(500));
  const second = createDiskStore({ root, nodeId: 'disk-1', capacityBytes: 1e9 });
  t.like(await second.usage(), { usedBytes: 3000, objects: 2 });
  t.deepEqual(readdirSync(join(root, 'tmp')), []);
  const listed: string[] = [];
  for await (const b of second.list()) listed.push(b.sha256);
  t.deepEqual(listed.sort(), blobs.map((b) => b.sha256).sort());
});

test('verify() tells a good blob from a corrupted one; a large corrupted blob errors at the end of its stream', async (t) => {
  const root = tempDir('disk-verify');
  const store = createDiskStore({ root, nodeId: 'disk-1', verifyBeforeSendBytes: 1024 });
  const src = sourceOf(randomBytes(4 * 1024 * 1024));
  await store.put(src);
  t.true(await store.verify(src.sha256));
  await flipByte(root, src.sha256, 3_000_000);
  t.false(await store.verify(src.sha256));
  const error = await t.throwsAsync(async () => readAll(await store.open(src.sha256)));
  t.true(error instanceof BlobStoreError && error.code === 'CORRUPT');
});
