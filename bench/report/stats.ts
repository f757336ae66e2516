// Order statistics for benchmark samples: nearest-rank percentiles, median of rounds and their spread.

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly rounds: number;
}

/** Median of per-round values with their min and max (the spread shown in the table). */
export function summarize(perRound: readonly number[]): Summary {
  return {
    median: median(perRound),
    min: perRound.length ? Math.min(...perRound) : Number.NaN,
    max: perRound.length ? Math.max(...perRound) : Number.NaN,
    rounds: perRound.length,
  };
}

/**
 * How many times better a Yunying variant did than Orthanc: for rates Y/O, for latencies O/Y, so that
 * above 1 always means Yunying was better.
 */
export function speedup(yunying: number, orthanc: number, better: 'higher' | 'lower'): number {
  if (!(yunying > 0) || !(orthanc > 0)) return Number.NaN;
  return better === 'higher' ? yunying / orthanc : orthanc / yunying;
}
