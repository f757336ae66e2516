// The numbers issue 7 asks of the platform, as rules over the rows of a run, judged for each Yunying
// variant on its own. The speed-up is always "how many times better that variant did than Orthanc in
// the same run" (rates Y/O, latencies O/Y).
import type { ScenarioSeries, YunyingVariant } from './recorder.ts';

/** Targets that only a 50k run can check: the report says when the run did not reach them. */
export const SEARCH_TARGET_SIZE = '50k';

export interface Target {
  readonly text: string;
  met(yunyingMedian: number, speedup: number): boolean;
}

/** Ingest: ≥ 2× with the embedded default, ≥ 1× in cluster mode; every other target holds for both. */
const INGEST: Readonly<Record<YunyingVariant, Target>> = {
  'yunying': { text: '≥ 2×', met: (_y, x) => x >= 2 },
  'yunying-cluster': { text: '≥ 1×', met: (_y, x) => x >= 1 },
};

export function targetFor(series: ScenarioSeries, variant: YunyingVariant): Target | undefined {
  // Ids read "<scenario>@<size>.<statistic>", e.g. ingest.stow.8@10k.rate or search.qido.series@50k.p50.
  const [base = '', tail = ''] = series.id.split('@');
  const statistic = tail.includes('.') ? tail.slice(tail.indexOf('.') + 1) : '';
  if (base.startsWith('ingest.') && statistic === 'rate') return INGEST[variant];
  if (base.startsWith('search.') && base !== 'search.cecho' && statistic === 'p50') {
    if (series.size === SEARCH_TARGET_SIZE) return { text: '≥ 5×', met: (_y, x) => x >= 5 };
    return undefined;
  }
  if (series.id === 'retrieve.metadata.warm.p50') return { text: '< 20 ms and ≥ 10×', met: (y, x) => y < 20 && x >= 10 };
  if (series.id === 'retrieve.frame.p95') return { text: '< 20 ms', met: (y) => y < 20 };
  return undefined;
}
