// Garbage: blobs released by the archive (an instance deleted or replaced) are removed from every
// replica once the grace period has passed, unless the catalog still references them then (another
// instance with the same bytes, or the same instance stored again). The catalog is asked through
// `isReferenced`, never by reading the archive's tables.
import { dropRelease, listReleases, readReplicas } from '../lib/storage-model/blob-index.ts';
import type { Members } from './cluster-member.ts';
import { removeReplica, type ReplicaOps } from './replica-ops.ts';

export interface GarbageDeps extends ReplicaOps {
  readonly graceSeconds: number;
  readonly isReferenced: (sha256: string) => Promise<boolean>;
  readonly log: { warn(...args: unknown[]): void };
}

export async function collectGarbage(deps: GarbageDeps, members: Members, now = new Date()): Promise<number> {
  let removed = 0;
  for await (const release of listReleases(deps.index)) {
    if (now.getTime() - release.releasedAt.getTime() < deps.graceSeconds * 1000) continue;
    if (await deps.isReferenced(release.sha256)) {
      await dropRelease(deps.index, release.sha256);
      continue;
    }
    // A put of the same bytes since the release dropped the row: check again right before removing.
    const still = await deps.index.get('blob_releases', { bucket: release.sha256.slice(0, 2), sha256: release.sha256 });
    if (!still) continue;
    try {
      for (const replica of await readReplicas(deps.index, release.sha256)) {
        await removeReplica(deps, release.sha256, replica.nodeId, members.get(replica.nodeId)?.live === true);
      }
      await dropRelease(deps.index, release.sha256);
      removed += 1;
    } catch (error) {
      deps.log.warn('removing a released blob failed; retried next pass', { sha256: release.sha256, error: (error as Error).message });
    }
  }
  return removed;
}
