// The reference: Orthanc with its DICOMweb plugin, configured as TESTKIT.md says (own directories,
// free ports, no GDCM plugin), started by hand and stopped by its PID.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ORTHANC_DICOMWEB_PLUGIN, orthancVersion } from '../setup/ensure-tools.ts';
import { freePort, httpOk, startChild, stopChild, unexpectedExit, waitUntil, type BenchSystem, type Child } from './bench-system.ts';

const AE_TITLE = 'ORTHANC';

export async function startOrthanc(dir: string): Promise<BenchSystem> {
  const db = join(dir, 'db');
  mkdirSync(db, { recursive: true });
  const httpPort = await freePort();
  const dicomPort = await freePort();
  const config = {
    Name: 'REF', StorageDirectory: db, IndexDirectory: db,
    Plugins: [ORTHANC_DICOMWEB_PLUGIN],
    HttpPort: httpPort, RemoteAccessAllowed: false, AuthenticationEnabled: false,
    DicomAet: AE_TITLE, DicomPort: dicomPort, DicomCheckCalledAet: false, DefaultEncoding: 'Utf8',
    DicomAlwaysAllowEcho: true, DicomAlwaysAllowStore: true, DicomAlwaysAllowFind: true,
    DicomAlwaysAllowGet: true, DicomAlwaysAllowMove: true, UnknownSopClassAccepted: true,
    SaveJobs: false,
    DicomWeb: {
      Enable: true, Root: '/dicom-web/', Host: `127.0.0.1:${httpPort}`, Ssl: false,
      StudiesMetadata: 'Full', SeriesMetadata: 'Full',
    },
  };
  const configFile = join(dir, 'orthanc.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const dicomweb = `http://127.0.0.1:${httpPort}/dicom-web`;

  let child: Child | undefined;
  const launch = async () => {
    const c = startChild('Orthanc', [configFile], process.env, dir);
    child = c;
    await waitUntil('Orthanc', () => httpOk(`http://127.0.0.1:${httpPort}/system`, {}), 60_000,
      () => (c.hasExited() ? `exited: ${c.stderrTail()}` : undefined));
  };
  await launch();
  return {
    name: 'orthanc',
    description: orthancVersion(),
    dicomweb,
    headers: {},
    dataDir: dir,
    dicom: { host: '127.0.0.1', port: dicomPort, aeTitle: AE_TITLE },
    unexpectedExit: () => unexpectedExit([child]),
    pids: () => (child?.process.pid !== undefined && !child.hasExited() ? [child.process.pid] : []),
    restart: async () => {
      if (child) await stopChild(child);
      await launch();
    },
    stop: async () => {
      if (child) await stopChild(child);
    },
  };
}
