// The scrubber: re-hashes every blob of one disk at a bounded byte rate, for ever, and hands each corrupt
// one to `onCorrupt` (which quarantines it and restores it from a good replica). This is what verifies
// range reads of large blobs, which are served without hashing the whole blob.
import type { DiskStore } from './disk-store.ts';
import { createRateLimiter } from './rate-limiter.ts';

export interface ScrubDeps {
  readonly store: DiskStore;
  readonly bytesPerSecond: number;
  readonly onVerified: (bytes: number) => void;
  readonly onCorrupt: (sha256: string) => Promise<void>;
  readonly log: { warn(...args: unknown[]): void };
  readonly signal: AbortSignal;
  /** Pause between two full passes. */
  readonly restPauseMs: number;
  /** Runs after each full pass (the volume store compacts mostly dead volumes there). */
  readonly afterPass?: () => Promise<void>;
}

export async function scrubForever(deps: ScrubDeps): Promise<void> {
  const limiter = createRateLimiter(deps.bytesPerSecond, deps.signal);
  while (!deps.signal.aborted) {
    for await (const blob of deps.store.list()) {
      if (deps.signal.aborted) return;
      await limiter.take(blob.size);
      const ok = await deps.store.verify(blob.sha256).catch(() => undefined);
      if (ok === undefined) continue;
      deps.onVerified(blob.size);
      if (!ok) {
        deps.log.warn('scrubber found a corrupt blob', { sha256: blob.sha256 });
        await deps.onCorrupt(blob.sha256).catch((error: unknown) => deps.log.warn('restoring a corrupt blob failed', { sha256: blob.sha256, error: (error as Error).message }));
      }
    }
    await deps.afterPass?.().catch((error: unknown) => deps.log.warn('after-scrub step failed', { error: (error as Error).message }));
    await new Promise((resolve) => setTimeout(resolve, deps.restPauseMs).unref());
  }
}
