// ABAB: which system goes first alternates from one measurement to the next, so that a noisy
// neighbour or a warming page cache does not favour one system.
import type { BenchSystem } from '../servers/bench-system.ts';

export function inTurn(systems: readonly BenchSystem[], step: number): BenchSystem[] {
  return step % 2 === 0 ? [...systems] : [...systems].reverse();
}

/** Deterministic pseudo-random numbers (mulberry32): both systems get the same queries each run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
