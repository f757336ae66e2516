// Installs the reference server and the DICOM clients from Debian when they are missing, so that
// the bench runs on a fresh machine of the project's kind. Nothing is installed from anywhere else.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const ORTHANC_DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
export const PYTHON = '/usr/bin/python3';

interface Requirement {
  readonly present: () => boolean;
  readonly packages: readonly string[];
}

const REQUIREMENTS: readonly Requirement[] = [
  { present: () => onPath('Orthanc'), packages: ['orthanc'] },
  { present: () => existsSync(ORTHANC_DICOMWEB_PLUGIN), packages: ['orthanc-dicomweb'] },
  { present: () => onPath('dcmsend') && onPath('findscu'), packages: ['dcmtk'] },
  { present: () => spawnSync(PYTHON, ['-c', 'import pydicom']).status === 0, packages: ['python3-pydicom'] },
];

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** Returns the packages it installed; throws when apt-get fails. */
export function ensureTools(log: (line: string) => void): string[] {
  const missing = REQUIREMENTS.filter((r) => !r.present()).flatMap((r) => r.packages);
  if (missing.length === 0) return [];
  log(`installing from Debian: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const install = update.status === 0
    ? spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env })
    : update;
  if (install.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed (run as root on Debian 12)`);
  // The Debian package may start its own Orthanc service on 8042/4242; the bench starts its own
  // instance with its own configuration and leaves the system service as the package set it up.
  return missing;
}

export function orthancVersion(): string {
  const out = spawnSync('Orthanc', ['--version'], { encoding: 'utf8' }).stdout;
  const plugin = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'orthanc-dicomweb'], { encoding: 'utf8' }).stdout;
  return `${out.split('\n')[0]?.trim() ?? 'Orthanc ?'} + DICOMweb plugin ${plugin.trim() || '?'}`;
}
