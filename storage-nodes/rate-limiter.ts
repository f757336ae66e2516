// A byte-rate limiter shared by concurrent workers (scrubber, repair copies): each take(n) waits until
// the budget allows n more bytes at `bytesPerSecond`, so background work never crowds out client I/O.

export interface RateLimiter {
  take(bytes: number): Promise<void>;
}

export function createRateLimiter(bytesPerSecond: number, signal?: AbortSignal): RateLimiter {
  let next = Date.now();
  return {
    async take(bytes: number): Promise<void> {
      const now = Date.now();
      const start = Math.max(now, next);
      next = start + (bytes / bytesPerSecond) * 1000;
      const wait = start - now;
      if (wait > 0 && !signal?.aborted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
        });
      }
    },
  };
}
