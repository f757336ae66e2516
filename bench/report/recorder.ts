// Collects every measurement of a run: per scenario, per system, one value per round, plus the
// correctness notes (failed stores, differing result counts) that must stand next to the numbers.
import { percentile } from './stats.ts';

/** Yunying's embedded default, Yunying in cluster mode, and the reference. */
export type SystemName = 'yunying' | 'yunying-cluster' | 'orthanc';
export type YunyingVariant = Exclude<SystemName, 'orthanc'>;
export const SYSTEMS: readonly SystemName[] = ['yunying', 'yunying-cluster', 'orthanc'];
export const YUNYING_VARIANTS: readonly YunyingVariant[] = ['yunying', 'yunying-cluster'];
export const LABELS: Readonly<Record<SystemName, string>> = { 'yunying': 'Yunying embedded', 'yunying-cluster': 'Yunying cluster', 'orthanc': 'Orthanc' };

function perSystem<T>(make: () => T): Record<SystemName, T> {
  return { 'yunying': make(), 'yunying-cluster': make(), 'orthanc': make() };
}

export type Unit = 'inst/s' | 'MB/s' | 'ms' | 'frames/s';

export interface ScenarioSeries {
  readonly id: string;
  readonly title: string;
  readonly unit: Unit;
  readonly better: 'higher' | 'lower';
  /** Archive size label the scenario ran at (1k, 10k, 50k), or '' when it does not depend on it. */
  readonly size: string;
  readonly values: Record<SystemName, number[]>;
  /** Result counts per system (search scenarios): equal counts show two systems answered the same. */
  readonly counts: Record<SystemName, number[]>;
  readonly notes: string[];
}

/** A measurement of the machine, not of a system (the raw disk read next to the study retrieve). */
export interface Reference {
  readonly title: string;
  readonly unit: Unit;
  readonly values: number[];
}

export class Recorder {
  readonly scenarios = new Map<string, ScenarioSeries>();
  readonly references = new Map<string, Reference>();
  readonly notes: string[] = [];

  addReference(id: string, title: string, unit: Unit, value: number): void {
    const r = this.references.get(id) ?? { title, unit, values: [] };
    r.values.push(value);
    this.references.set(id, r);
  }

  private series(id: string, title: string, unit: Unit, size: string): ScenarioSeries {
    let s = this.scenarios.get(id);
    if (!s) {
      s = { id, title, unit, better: unit === 'ms' ? 'lower' : 'higher', size, values: perSystem(() => []), counts: perSystem(() => []), notes: [] };
      this.scenarios.set(id, s);
    }
    return s;
  }

  /** One round's value of a rate or a single latency. */
  addValue(id: string, title: string, unit: Unit, size: string, system: SystemName, value: number): void {
    this.series(id, title, unit, size).values[system].push(value);
  }

  /** One round's latencies: recorded as two series, p50 and p95 of the round. */
  addLatencies(id: string, title: string, size: string, system: SystemName, samplesMs: readonly number[]): void {
    this.addValue(`${id}.p50`, `${title} p50`, 'ms', size, system, percentile(samplesMs, 50));
    this.addValue(`${id}.p95`, `${title} p95`, 'ms', size, system, percentile(samplesMs, 95));
  }

  addCount(id: string, system: SystemName, count: number): void {
    const s = this.scenarios.get(id);
    if (s) s.counts[system].push(count);
  }

  note(id: string, text: string): void {
    const s = this.scenarios.get(id);
    if (s) {
      if (!s.notes.includes(text)) s.notes.push(text);
    } else if (!this.notes.includes(`${id}: ${text}`)) {
      this.notes.push(`${id}: ${text}`);
    }
  }
}
