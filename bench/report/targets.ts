// The numbers issue 7 asks of the platform, as rules over the rows of a run. The speed-up is always
// "how many times better Yunying did than Orthanc in the same run" (rates Y/O, latencies O/Y).
import type { ScenarioSeries } from './recorder.ts';

export interface Target {
  readonly text: string;
  met(yunyingMedian: number, speedup: number): boolean;
}

export function targetFor(series: ScenarioSeries, cluster: boolean): Target | undefined {
  // Ids read "<scenario>@<size>.<statistic>", e.g. ingest.stow.8@10k.rate or search.qido.series@50k.p50.
  const [base = '', tail = ''] = series.id.split('@');
  const statistic = tail.includes('.') ? tail.slice(tail.indexOf('.') + 1) : '';
  if (base.startsWith('ingest.') && statistic === 'rate') {
    return cluster
      ? { text: '≥ 1× (cluster)', met: (_y, x) => x >= 1 }
      : { text: '≥ 2× (embedded)', met: (_y, x) => x >= 2 };
  }
  if (base.startsWith('search.') && base !== 'search.cecho' && statistic === 'p50') {
    if (series.size === '50k') return { text: '≥ 5×', met: (_y, x) => x >= 5 };
    return undefined;
  }
  if (series.id === 'retrieve.metadata.warm.p50') return { text: '< 20 ms and ≥ 10×', met: (y, x) => y < 20 && x >= 10 };
  if (series.id === 'retrieve.frame.p95') return { text: '< 20 ms', met: (y) => y < 20 };
  return undefined;
}

/** Targets that only a 50k run can check: the report says when the run did not reach them. */
export const SEARCH_TARGET_SIZE = '50k';
