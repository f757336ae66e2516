// Peak resident memory of the servers: the kernel's high-water mark (VmHWM) of each process, read
// every half second so that a process replaced by a restart still counts. In cluster mode the peaks of
// the processes are added: an upper bound of the peak of their sum.
import { readFileSync } from 'node:fs';
import type { BenchSystem } from './bench-system.ts';

function hwmKiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export class MemorySampler {
  private readonly peaks = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  private peakMiB = 0;
  private readonly system: BenchSystem;

  constructor(system: BenchSystem) {
    this.system = system;
    this.timer = setInterval(() => this.sample(), 500);
    this.timer.unref();
  }

  sample(): void {
    for (const pid of this.system.pids()) {
      const kib = hwmKiB(pid);
      if (kib !== undefined) this.peaks.set(pid, Math.max(kib, this.peaks.get(pid) ?? 0));
    }
    // Processes of one lifetime run together; those of earlier lifetimes (before a restart) do not.
    const live = this.system.pids().reduce((sum, pid) => sum + (this.peaks.get(pid) ?? 0), 0);
    this.peakMiB = Math.max(this.peakMiB, live / 1024);
  }

  /** Peak RSS in MiB seen so far. */
  peak(): number {
    this.sample();
    return this.peakMiB;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
