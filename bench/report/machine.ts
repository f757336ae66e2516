// The machine a run measured: the table means nothing without it.
import { spawnSync } from 'node:child_process';
import { cpus, hostname, release, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';

export interface Machine {
  readonly host: string;
  readonly cpu: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly disk: string;
  readonly kernel: string;
  readonly node: string;
  readonly load: string;
}

function sh(command: string): string {
  return spawnSync('sh', ['-c', command], { encoding: 'utf8' }).stdout.trim();
}

export function describeMachine(workDir: string): Machine {
  const [source = '?', fstype = '?', size = '?'] = sh(`df -h --output=source,fstype,size "${workDir}" | tail -1`).split(/\s+/);
  const device = `${source} (${fstype}, ${size})`;
  const stat = statfsSync(workDir);
  const name = source.replace('/dev/', '');
  const rota = sh(`cat /sys/block/${name}/queue/rotational 2>/dev/null`);
  const rotational = rota === '' ? '' : rota === '1' ? 'reported rotational (virtual disks often are)' : 'non-rotational';
  return {
    host: hostname(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    disk: `${device} (free ${(Number(stat.bavail) * Number(stat.bsize) / 1e9).toFixed(0)} GB)${rotational ? `; ${rotational}` : ''}`,
    kernel: release(),
    node: process.version,
    load: sh('cat /proc/loadavg'),
  };
}
