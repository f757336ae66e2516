// Retention of the edge's local copy (lib/edge/sweep-retention.ts) on the real pieces: a SQLite index,
// the disk store, the upload queue and the one ingest path behind the queueing catalog, as the edge runs
// them. A centralized-storage edge removes a local copy only once the city confirmed it more than
// YY_EDGE_RETAIN_DAYS ago; the queue row stays, so the PACS sending it again is no new upload.
import test from 'ava';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createSqliteEngine } from '../../adapters/index-sqlite/index.ts';
import { createIndexCatalog } from '../../lib/archive/index-catalog.ts';
import { createQueueingCatalog, queueItemOf } from '../../lib/edge/queueing-catalog.ts';
import { sweepRetention } from '../../lib/edge/sweep-retention.ts';
import { openUploadQueue } from '../../lib/edge/upload-queue.ts';
import { PLATFORM_SCHEMA } from '../../lib/index-model/platform-schema.ts';
import { ingestInstance } from '../../lib/ingest/ingest-instance.ts';
import type { IngestDeps } from '../../lib/ingest/ingest-types.ts';
import { createDiskStore } from '../../storage-nodes/disk-store.ts';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import { tempDir } from '../helpers/processes.ts';

const DAY = 86_400_000;

async function edgeParts(t: { teardown(fn: () => unknown): void }) {
  const dir = tempDir('edge-retention');
  const engine = createSqliteEngine({ file: join(dir, 'index.sqlite'), schema: PLATFORM_SCHEMA });
  await engine.migrate();
  const queue = openUploadQueue(join(dir, 'edge-queue.sqlite'));
  t.teardown(async () => { queue.close(); await engine.close(); });
  let clock = Date.UTC(2026, 11, 1);
  const now = () => clock;
  const catalog = createQueueingCatalog(createIndexCatalog(engine, { studyBuckets: 1 }), queue, { now });
  const blobs = createDiskStore({ root: join(dir, 'blobs'), nodeId: 'edge-1' });
  const deps: IngestDeps = { blobs, catalog, spoolDir: dir, replaceDuplicates: false, defaultCharacterSet: 'ISO_IR 100', maxObjectBytes: 1 << 30 };
  const study = newUid();
  const series = newUid();
  const store = async (object: Buffer) => ingestInstance(deps, Readable.from([object]), { source: 'c-store' });
  const object = () => buildDicom({
    attributes: { SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', SOPInstanceUID: newUid(), StudyInstanceUID: study, SeriesInstanceUID: series, Modality: 'CT' },
    pixels: { rows: 8, columns: 8, bitsAllocated: 16 },
  });
  return { queue, catalog, blobs, store, object, now, advance: (ms: number) => { clock += ms; } };
}

test('a local copy leaves only after the city confirmed it more than the retention period ago; its queue row stays', async (t) => {
  const e = await edgeParts(t);
  const [a, b, c] = [e.object(), e.object(), e.object()];
  const stored = await Promise.all([a, b, c].map((o) => e.store(o)));
  const records = await Promise.all(stored.map(async (r) => {
    if (r.status === 'rejected') throw new Error(`not stored: ${r.reason}`);
    const record = await e.catalog.getInstance(r.sopInstanceUid);
    if (!record) throw new Error('not indexed');
    return record;
  }));
  const [ra, rb, rc] = records as [typeof records[0], typeof records[0], typeof records[0]];
  t.is(e.queue.status(e.now()).queueDepth, 3, 'every stored instance waits for its upload');
  // a: confirmed now; b: confirmed a day later; c: never confirmed (the city is unreachable, say).
  t.true(e.queue.markUploaded(queueItemOf(ra), e.now()));
  e.advance(DAY);
  t.true(e.queue.markUploaded(queueItemOf(rb), e.now()));

  e.advance(DAY - 60_000);
  const retain = { queue: e.queue, catalog: e.catalog, blobs: e.blobs, retainDays: 2, now: e.now };
  t.is(await sweepRetention(retain), 0, 'a minute before a\'s upload is 2 days old, nothing goes');
  e.advance(120_000);
  t.is(await sweepRetention(retain), 1, 'a: uploaded 2 days and a minute ago, removed');
  t.is(await e.catalog.getInstance(ra.sopInstanceUid), undefined, 'a leaves the local index');
  t.is(await e.blobs.stat(ra.sha256), undefined, 'a\'s bytes leave the local disk');
  t.truthy(await e.catalog.getInstance(rb.sopInstanceUid), 'b (uploaded a day and a minute ago) stays');
  t.truthy(await e.blobs.stat(rc.sha256), 'c (never uploaded) stays');
  t.is(e.queue.get(ra.sopInstanceUid)?.state, 'uploaded', 'a\'s queue row stays uploaded');
  t.is(await sweepRetention(retain), 0, 'a removed copy is not removed again');

  e.advance(30 * DAY);
  t.is(await sweepRetention(retain), 1, 'b in its turn; c is never removed while it waits');
  t.truthy(await e.blobs.stat(rc.sha256));
  t.is(e.queue.status(e.now()).queueDepth, 1);

  // The PACS sends a again: stored locally, no new upload, and the copy falls under retention again.
  const again = await e.store(a);
  t.not(again.status, 'rejected');
  t.is(e.queue.get(ra.sopInstanceUid)?.state, 'uploaded', 'the same bytes again are no new upload');
  t.is(e.queue.status(e.now()).queueDepth, 1);
  t.is(await sweepRetention(retain), 1, 'the new local copy of a is removed by the next sweep (its upload is long past)');
});
