// Retention of the local copy (centralized storage only: with distributed storage the edge is where
// the pixels live and nothing is ever removed). An instance the city confirmed more than `retainDays`
// ago leaves the local catalog and its blob is released; its queue row stays `uploaded`, so the same
// object sent again by the PACS is no new upload.
import type { Catalog } from '../archive/catalog.ts';
import type { BlobStore } from '../blob-store/blob-store.ts';
import type { UploadQueue } from './upload-queue.ts';

const DAY_MS = 86_400_000;
const BATCH = 500;

export interface RetentionDeps {
  readonly queue: UploadQueue;
  readonly catalog: Catalog;
  readonly blobs: BlobStore;
  readonly retainDays: number;
  readonly now?: () => number;
}

/** One sweep; returns how many local copies it removed. */
export async function sweepRetention(deps: RetentionDeps): Promise<number> {
  const now = deps.now ?? Date.now;
  let removed = 0;
  for (;;) {
    const due = deps.queue.retentionDue(now() - deps.retainDays * DAY_MS, BATCH);
    for (const row of due) {
      const record = await deps.catalog.getInstance(row.sopInstanceUid);
      // Absent (deleted by an operator) or other bytes: nothing of this upload is left to remove.
      if (record?.sha256 === row.sha256) {
        const sha256 = await deps.catalog.deleteInstance(row.sopInstanceUid);
        if (sha256 !== undefined) await deps.blobs.release(sha256);
        removed += 1;
      }
      deps.queue.markLocalRemoved(row.sopInstanceUid, now());
    }
    if (due.length < BATCH) return removed;
  }
}
