// Ingest keeps memory bounded whatever the object size: a 300 MB object streams through the spool, the
// hash and the header reader, then from the spool to the blob store, and the process's resident memory
// grows by far less than the object. (SQLite index: the engine plays no part in the bytes.)
import test from 'ava';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ingestInstance } from '../../lib/ingest/ingest-instance.ts';
import { dicomChunks, dicomSize, newUid } from '../helpers/dicom-builder.ts';
import { makeArchive, sqliteTarget, spoolFiles } from './archive-fixture.ts';

const MB = 1024 * 1024;

test('a 300 MB object is ingested with resident memory growing far less than its size', async (t) => {
  const target = sqliteTarget();
  t.teardown(() => target.dispose());
  const archive = makeArchive(await target.open(true), { buckets: 1 });
  t.teardown(() => rm(archive.blobRoot, { recursive: true, force: true }));
  const options = {
    attributes: { StudyInstanceUID: newUid(), SeriesInstanceUID: newUid(), SOPInstanceUID: newUid(), PatientID: 'BIG', Modality: 'CT' },
    pixels: { rows: 512, columns: 512, frames: 600, bitsAllocated: 16 },
  };
  const size = dicomSize(options);
  t.true(size > 300 * MB);
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 25);
  try {
    const result = await ingestInstance(archive.deps, Readable.from(dicomChunks(options, 64 * 1024)), { source: 'import' });
    t.like(result, { status: 'stored', size });
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const growth = peak - before;
  t.log(`object ${(size / MB).toFixed(0)} MB, RSS growth ${(growth / MB).toFixed(1)} MB`);
  t.true(growth < size / 4, `RSS grew by ${(growth / MB).toFixed(1)} MB`);
  const record = await archive.catalog.listInstances(options.attributes.StudyInstanceUID);
  t.is(record[0]?.frames.length, 600);
  t.deepEqual(await spoolFiles(archive), []);
});
