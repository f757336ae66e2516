// The volume store: the BlobStore contract, then what volumes add: reopen (index rebuilt by scanning),
// torn-tail recovery, needle corruption, removal + compaction, group-committed concurrent puts, and
// reading a data directory the file-per-blob store wrote.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, truncateSync, appendFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobStoreError } from '../../lib/blob-store/blob-store.ts';
import { createDiskStore } from '../../storage-nodes/disk-store.ts';
import { HEADER_BYTES } from '../../storage-nodes/needle.ts';
import { createVolumeStore, type VolumeStore, type VolumeStoreOptions } from '../../storage-nodes/volume-store.ts';
import { tempDir } from '../helpers/processes.ts';
import { blobStoreContract, readAll, sourceOf } from './blob-store-contract.ts';

const volumes = (root: string) => readdirSync(join(root, 'volumes')).sort().map((name) => join(root, 'volumes', name));

/** Where the needle of `sha256` starts: its header holds the hash 24 bytes in. */
function locate(root: string, sha256: string): { path: string; offset: number } {
  for (const path of volumes(root)) {
    const at = readFileSync(path).indexOf(Buffer.from(sha256, 'hex'));
    if (at >= 0) return { path, offset: at - 24 };
  }
  throw new Error(`no needle of ${sha256}`);
}

async function flipDataByte(root: string, sha256: string, at: number): Promise<void> {
  const { path, offset } = locate(root, sha256);
  const handle = await openFile(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await handle.read(b, 0, 1, offset + HEADER_BYTES + at);
    b[0] = (b[0] ?? 0) ^ 0xff;
    await handle.write(b, 0, 1, offset + HEADER_BYTES + at);
  } finally { await handle.close(); }
}

function store(root: string, extra: Partial<VolumeStoreOptions> = {}): VolumeStore {
  return createVolumeStore({ root, nodeId: 'disk-1', ...extra });
}

function code(error: unknown): string | undefined {
  return error instanceof BlobStoreError ? error.code : undefined;
}

for (const verifyBeforeSendBytes of [16 * 1024 * 1024, 1024]) {
  blobStoreContract(test, `volume store (verify before send up to ${verifyBeforeSendBytes} B)`, () => {
    const root = tempDir('volume-store');
    const s = store(root, { verifyBeforeSendBytes });
    return Promise.resolve({
      store: s, survivesOneCorruptCopy: false,
      corrupt: (sha256: string) => flipDataByte(root, sha256, 100),
      afterRelease: () => Promise.resolve(),
      close: () => s.close(),
    });
  });
}

test('writes above the fill level are refused with FULL; usage counts live bytes and objects', async (t) => {
  const s = store(tempDir('volume-full'), { capacityBytes: 100_000, maxFillRatio: 0.5 });
  await s.put(sourceOf(randomBytes(30_000)));
  t.deepEqual(await s.usage(), { capacityBytes: 100_000, usedBytes: 30_000, objects: 1 });
  t.is(code(await t.throwsAsync(s.put(sourceOf(randomBytes(30_000))))), 'FULL');
  const small = sourceOf(randomBytes(10_000));
  await s.put(small);
  t.deepEqual(await s.usage(), { capacityBytes: 100_000, usedBytes: 40_000, objects: 2 });
  t.true(await s.remove(small.sha256));
  t.deepEqual(await s.usage(), { capacityBytes: 100_000, usedBytes: 30_000, objects: 1 });
  await s.close();
});

test('a reopened store finds packed blobs, large blob files and blobs of a file-per-blob data directory', async (t) => {
  const root = tempDir('volume-reopen');
  const legacyBytes = randomBytes(20_000);
  const legacy = sourceOf(legacyBytes);
  await createDiskStore({ root, nodeId: 'disk-1' }).put(legacy);
  const first = store(root, { packMaxBytes: 64 * 1024, rollBytes: 100_000 });
  const packed = Array.from({ length: 12 }, (_, i) => randomBytes(10_000 + i));
  const large = randomBytes(200_000);
  for (const bytes of [...packed, large]) await first.put(sourceOf(bytes));
  const removed = sourceOf(packed[0] as Buffer);
  t.true(await first.remove(removed.sha256));
  await first.close();
  t.true(volumes(root).length > 1, 'volumes rolled');
  const second = store(root, { packMaxBytes: 64 * 1024, rollBytes: 100_000 });
  for (const bytes of [...packed.slice(1), large, legacyBytes]) {
    t.deepEqual(await readAll(await second.open(sourceOf(bytes).sha256)), bytes);
  }
  t.is(await second.stat(removed.sha256), undefined);
  t.like(await second.usage(), { objects: 13 });
  const listed: string[] = [];
  for await (const b of second.list()) listed.push(b.sha256);
  t.is(listed.length, 13);
  t.is((await second.listBucket(legacy.sha256.slice(0, 2))).filter((b) => b.sha256 === legacy.sha256).length, 1);
  await second.close();
});

test('a torn tail is cut off at open (kept in quarantine/); earlier blobs stay intact', async (t) => {
  const root = tempDir('volume-torn');
  const first = store(root);
  const blobs = [randomBytes(5000), randomBytes(6000), randomBytes(7000)];
  for (const bytes of blobs) await first.put(sourceOf(bytes));
  await first.close();
  const last = sourceOf(blobs[2] as Buffer);
  const { path, offset } = locate(root, last.sha256);
  truncateSync(path, offset + HEADER_BYTES + 3000);
  const second = store(root);
  t.is(await second.stat(last.sha256), undefined);
  for (const bytes of blobs.slice(0, 2)) t.deepEqual(await readAll(await second.open(sourceOf(bytes).sha256)), bytes);
  t.is(statSync(path).size, offset);
  t.is(readdirSync(join(root, 'quarantine')).filter((n) => n.endsWith('.torn')).length, 1);
  await second.put(last);
  await second.close();
  // A tail of zeros (the size grew, the bytes never reached the disk) is recovered the same way.
  appendFileSync(path, Buffer.alloc(300));
  const third = store(root);
  for (const bytes of blobs) t.deepEqual(await readAll(await third.open(sourceOf(bytes).sha256)), bytes);
  await third.close();
});

test('a flipped byte in a needle is CORRUPT; verify() says so; quarantine() moves the bytes out', async (t) => {
  const root = tempDir('volume-corrupt');
  const s = store(root);
  const goodBytes = randomBytes(50_000);
  const good = sourceOf(goodBytes);
  const bad = sourceOf(randomBytes(50_000));
  await s.put(good);
  await s.put(bad);
  await flipDataByte(root, bad.sha256, 40_000);
  t.is(code(await t.throwsAsync(async () => readAll(await s.open(bad.sha256)))), 'CORRUPT');
  t.is(code(await t.throwsAsync(s.open(bad.sha256, { offset: 0, length: 10 }))), 'CORRUPT');
  t.false(await s.verify(bad.sha256));
  t.true(await s.verify(good.sha256));
  t.true(await s.quarantine(bad.sha256));
  t.is(await s.stat(bad.sha256), undefined);
  t.true(readdirSync(join(root, 'quarantine')).some((n) => n.startsWith(bad.sha256)));
  await s.close();
  // The damaged needle is not the last one: reopening keeps the volume and the blob after it.
  const again = store(root);
  t.deepEqual(await readAll(await again.open(good.sha256)), goodBytes);
  t.is(await again.stat(bad.sha256), undefined);
  await again.close();
});

test('remove + compact keeps live blobs readable, reclaims space, and removals survive a reopen', async (t) => {
  const root = tempDir('volume-compact');
  const options = { rollBytes: 120_000 };
  const s = store(root, options);
  const blobs = Array.from({ length: 24 }, () => randomBytes(20_000));
  for (const bytes of blobs) await s.put(sourceOf(bytes));
  const [kept, gone] = [blobs.filter((_, i) => i % 4 === 0), blobs.filter((_, i) => i % 4 !== 0)];
  for (const bytes of gone) t.true(await s.remove(sourceOf(bytes).sha256));
  const before = volumes(root).reduce((sum, p) => sum + statSync(p).size, 0);
  const reading = Promise.all(kept.map(async (bytes) => readAll(await s.open(sourceOf(bytes).sha256))));
  const report = await s.compact();
  t.deepEqual(await reading, kept);
  t.true(report.volumes.length > 0);
  const after = volumes(root).reduce((sum, p) => sum + statSync(p).size, 0);
  t.true(after < before / 2, `${after} bytes after compaction, ${before} before`);
  t.is(report.reclaimedBytes, before - after);
  for (const bytes of kept) t.deepEqual(await readAll(await s.open(sourceOf(bytes).sha256)), bytes);
  await s.close();
  const again = store(root, options);
  for (const bytes of kept) t.deepEqual(await readAll(await again.open(sourceOf(bytes).sha256)), bytes);
  for (const bytes of gone) t.is(await again.stat(sourceOf(bytes).sha256), undefined);
  t.like(await again.usage(), { objects: kept.length, usedBytes: kept.length * 20_000 });
  await again.close();
});

test('concurrent puts are all durable: a second store opened after they resolve reads every one', async (t) => {
  const root = tempDir('volume-concurrent');
  const s = store(root, { rollBytes: 200_000 });
  const blobs = Array.from({ length: 40 }, () => randomBytes(8192));
  const results = await Promise.all(blobs.map((bytes) => s.put(sourceOf(bytes))));
  t.true(results.every((r) => !r.existed));
  // Not closed: what the second instance sees is what reached the files.
  const other = store(root, { rollBytes: 200_000 });
  for (const bytes of blobs) t.deepEqual(await readAll(await other.open(sourceOf(bytes).sha256)), bytes);
  t.like(await other.usage(), { objects: 40 });
  await s.close();
  await other.close();
});

test('compaction carries a tombstone whose removed needle still sits in an uncompacted volume', async (t) => {
  const root = tempDir('volume-tombstone');
  const options = { rollBytes: 70_000 };
  const s = store(root, options);
  const all = Array.from({ length: 5 }, () => sourceOf(randomBytes(20_000)));
  const removed = all.filter((_, i) => i === 0 || i >= 3);
  const kept = all.filter((_, i) => i === 1 || i === 2);
  for (const src of all) await s.put(src);
  t.is(volumes(root).length, 2, 'volume 1: removed[0] and the two kept; volume 2: the other two removed');
  for (const src of removed) t.true(await s.remove(src.sha256));
  const report = await s.compact();
  t.deepEqual(report.volumes, [2], 'only the mostly dead volume (two dead needles, three tombstones) is rewritten');
  await s.close();
  const again = store(root, options);
  for (const src of removed) t.is(await again.stat(src.sha256), undefined, 'removed blobs stay removed');
  for (const src of kept) t.truthy(await again.stat(src.sha256));
  t.like(await again.usage(), { objects: 2 });
  await again.close();
});
