// Backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the wait before
// attempt n+1 is uniform in [0, min(max, base * 2^(n-1))], so edges that lost the city together do not
// come back in lockstep.

/** Milliseconds to wait after the `failures`-th consecutive failure (1 = the first). */
export function retryDelayMs(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(failures - 1, 52)));
  return Math.floor(random() * ceiling);
}
