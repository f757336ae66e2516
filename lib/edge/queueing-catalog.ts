// The edge's catalog: the local catalog whose recordInstance also commits the upload-queue row, so that
// ingest returns (and the C-STORE success goes out) only once both the index entry and the queue row are
// durable. The order is stage -> catalog -> commit: an instance staged but never committed (a crash, an
// index error) is settled by reconcileStaged() at start, which enqueues it if the catalog holds it with
// those bytes. So no locally indexed instance is ever left without its queue row.
import type { Catalog, InstanceRecord, RecordOutcome } from '../archive/catalog.ts';
import type { QueueItem, UploadQueue } from './upload-queue.ts';

export function queueItemOf(record: Pick<InstanceRecord, 'sopInstanceUid' | 'studyInstanceUid' | 'seriesInstanceUid' | 'sha256' | 'size'>): QueueItem {
  return {
    sopInstanceUid: record.sopInstanceUid, studyInstanceUid: record.studyInstanceUid,
    seriesInstanceUid: record.seriesInstanceUid, sha256: record.sha256, size: record.size,
  };
}

async function settle(catalog: Catalog, queue: UploadQueue, item: QueueItem, now: number): Promise<boolean> {
  const record = await catalog.getInstance(item.sopInstanceUid);
  if (record?.sha256 === item.sha256) return queue.commit(item, true, now) === 'queued';
  queue.dropStaged(item.sopInstanceUid);
  return false;
}

/** Queue rows for staged instances the catalog holds with the staged bytes; drops the others. */
export async function reconcileStaged(catalog: Catalog, queue: UploadQueue, now: () => number): Promise<number> {
  let queued = 0;
  for (const item of queue.staged()) if (await settle(catalog, queue, item, now())) queued += 1;
  return queued;
}

export interface QueueingCatalogOptions {
  readonly now?: () => number;
  /** Called after a row became pending (wakes the uploader). */
  readonly onQueued?: () => void;
}

export function createQueueingCatalog(catalog: Catalog, queue: UploadQueue, options: QueueingCatalogOptions = {}): Catalog {
  const now = options.now ?? Date.now;
  return {
    ...catalog,
    async recordInstance(record: InstanceRecord, opts: { readonly replace: boolean }): Promise<RecordOutcome> {
      const item = queueItemOf(record);
      queue.stage(item);
      let outcome: RecordOutcome;
      try {
        outcome = await catalog.recordInstance(record, opts);
      } catch (error) {
        // The write may or may not have landed: settle the staged row by what the catalog now holds.
        if (await settle(catalog, queue, item, now()).catch(() => false)) options.onQueued?.();
        throw error;
      }
      if (queue.commit(item, outcome.kind !== 'conflict', now()) === 'queued') options.onQueued?.();
      return outcome;
    },
  };
}
