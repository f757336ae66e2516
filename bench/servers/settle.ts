// Between turns: what one system left behind must not be measured against the next. Its dirty pages
// are written back (syncfs of its data directory) and its processes get time to finish background
// work (index updates, replication) until together they use less than a tenth of a core.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { BenchSystem } from './bench-system.ts';

const WINDOW_MS = 500;
/** Share of one core, summed over the system's processes, under which it counts as idle. */
const QUIET_SHARE = 0.1;
export const SETTLE_MAX_MS = 15_000;

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticksPerSecond;
}

/** User + system CPU time of the processes, in clock ticks (a process that ended counts 0). */
function cpuTicks(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // The fields after the command name (which may hold spaces): state is 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // ended
    }
  }
  return ticks;
}

/** Waits until the system is idle; false when it was still busy after SETTLE_MAX_MS. */
export async function settle(system: BenchSystem): Promise<boolean> {
  spawnSync('sync', ['-f', system.dataDir]);
  const deadline = Date.now() + SETTLE_MAX_MS;
  for (;;) {
    const pids = system.pids();
    const before = cpuTicks(pids);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const cores = (cpuTicks(pids) - before) / clockTicks() / (WINDOW_MS / 1000);
    if (cores < QUIET_SHARE) return true;
    if (Date.now() > deadline) return false;
  }
}
