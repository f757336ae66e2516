// Taking turns: the order of the systems rotates from one measurement to the next (ABC, BCA, CAB; with
// two systems AB, BA), so that each goes first equally often and a noisy neighbour or a warming page
// cache does not favour one system. Only one system is exercised at a time; the others sit idle.
import type { Recorder } from '../report/recorder.ts';
import type { BenchSystem } from '../servers/bench-system.ts';
import { SETTLE_MAX_MS, settle } from '../servers/settle.ts';

/** The systems in the order of step `step`: rotated left by step mod their number. */
export function inTurn<T>(systems: readonly T[], step: number): T[] {
  const k = systems.length === 0 ? 0 : ((step % systems.length) + systems.length) % systems.length;
  return [...systems.slice(k), ...systems.slice(0, k)];
}

/**
 * The systems of a step one after the other; after each turn the system settles (settle.ts) before the
 * next one starts. A system that never quietened is named in the report's notes.
 */
export async function* takeTurns(systems: readonly BenchSystem[], step: number, rec: Recorder): AsyncGenerator<BenchSystem> {
  for (const system of inTurn(systems, step)) {
    yield system;
    if (!(await settle(system))) {
      rec.note('Taking turns', `${system.name} was still busy ${SETTLE_MAX_MS / 1000} s after a turn of its own (at least once): the next system's turn overlapped its background work`);
    }
  }
}

/** Deterministic pseudo-random numbers (mulberry32): every system gets the same queries each run. */
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
