// C-MOVE and C-GET through the retrieval router (the SCP in-process, DCMTK as the SCU and the move
// peer): an instance whose bytes only an unreachable hospital edge holds is a failed sub-operation, the
// final status is a failure (A702, "unable to perform sub-operations") when none could be sent, and
// the log says why with UIDs only; an instance in the city still goes out.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Registry } from 'prom-client';
import type { InstanceRecord } from '../../lib/archive/catalog.ts';
import { edgeSource } from '../../lib/edge/edge-schema.ts';
import { BLOB_LOCATIONS_TABLE, blobLocationRow, readBlobLocations } from '../../lib/retrieval/blob-locations.ts';
import { createRoutedBlobStore } from '../../lib/retrieval/routed-blob-store.ts';
import { createDimseMetrics } from '../../monitoring/dimse-metrics.ts';
import { startDimseServer, type DimseServer } from '../../services/dimse/dimse-server.ts';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import { freePort, tempDir, waitFor } from '../helpers/processes.ts';
import { TIMEOUTS, dcmtk, dcmtkBackground } from '../dimse/dcmtk.ts';
import { openArchiveSide, type ArchiveSide } from './archive-side.ts';

interface Fixture {
  readonly city: ArchiveSide;
  readonly edge: ArchiveSide;
  readonly server: DimseServer;
  readonly port: number;
  readonly peerDir: string;
  readonly stopPeer: () => void;
  readonly warnings: Record<string, unknown>[];
}

let fixture: Fixture | undefined;
const f = (): Fixture => { if (!fixture) throw new Error('no fixture'); return fixture; };

test.before(async () => {
  const [city, edge] = [await openArchiveSide('dimse-city'), await openArchiveSide('dimse-edge')];
  const [port, peerPort] = [await freePort(), await freePort()];
  const peerDir = join(tempDir('retrieval-peer'), 'in');
  mkdirSync(peerDir);
  const peer = dcmtkBackground('storescp', ['-aet', 'STORESCP', '+B', '-od', peerDir, String(peerPort)]);
  const warnings: Record<string, unknown>[] = [];
  // No connection to edges on this node: what an edge's bytes give is UNAVAILABLE at once.
  const blobs = createRoutedBlobStore({ city: city.blobs, locate: (s) => readBlobLocations(city.engine, s), fetchers: {} });
  const server = await startDimseServer(port, {
    aeTitle: 'YUNYING', policy: { ownAeTitle: 'YUNYING' }, peers: [{ aeTitle: 'STORESCP', host: '127.0.0.1', port: peerPort }],
    archive: { ...city.archive, blobs }, metrics: createDimseMetrics(new Registry()), timeoutSeconds: 3,
    log: { info: () => undefined, error: () => undefined, warn: (entry: Record<string, unknown>) => { warnings.push(entry); } },
  });
  await waitFor('storescp', () => Promise.resolve(dcmtk('echoscu', [...TIMEOUTS, '-aec', 'STORESCP', '127.0.0.1', String(peerPort)]).status === 0 ? true : undefined), 10_000, 100);
  fixture = { city, edge, server, port: server.port, peerDir, stopPeer: () => peer.stop(), warnings };
});

test.after.always(async () => {
  if (!fixture) return;
  fixture.stopPeer();
  await fixture.server.close();
  await Promise.allSettled([fixture.city.close(), fixture.edge.close()]);
});

async function ingest(side: ArchiveSide, study: string, series: string): Promise<InstanceRecord> {
  const sop = newUid();
  const object = buildDicom({ attributes: { StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: sop, Modality: 'CT' }, pixels: { rows: 8, columns: 8 } });
  const result = await side.archive.ingest(Readable.from([object]), { source: 'import' });
  if (result.status === 'rejected') throw new Error(result.reason);
  const record = await side.archive.catalog.getInstance(sop);
  if (!record) throw new Error('not indexed');
  return record;
}

/** An instance indexed at the city whose bytes only a hospital edge holds. */
async function atEdgeOnly(study: string, series: string): Promise<InstanceRecord> {
  const r = await ingest(f().edge, study, series);
  await f().city.engine.write([{
    kind: 'put', table: BLOB_LOCATIONS_TABLE, row: blobLocationRow({
      sha256: r.sha256, source: edgeSource('h-down'), kind: 'edge', hospitalId: 'h-down', nodeId: 'edge-h-down',
      studyInstanceUid: study, seriesInstanceUid: series, sopInstanceUid: r.sopInstanceUid, size: r.size,
    }, new Date()),
  }]);
  await f().city.archive.catalog.recordInstance(r, { replace: false });
  return r;
}

/** DCMTK without blocking this process (the SCP under test runs in it). */
function run(tool: string, args: readonly string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args);
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString('latin1'); });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}

const scu = (options: readonly string[]) => [...TIMEOUTS, '-aec', 'YUNYING', '-S', ...options, '127.0.0.1', String(f().port)];

test.serial('C-GET of an instance only an unreachable edge holds fails with A702 and a log line naming the edge', async (t) => {
  const r = await atEdgeOnly(newUid(), newUid());
  const out = join(tempDir('retrieval-get'), 'in');
  mkdirSync(out);
  const got = await run('getscu', scu(['-od', out, '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${r.studyInstanceUid}`, '-k', `SOPInstanceUID=${r.sopInstanceUid}`]));
  // A702: Refused, out of resources, unable to perform sub-operations (PS3.4 C.4.3.1.4).
  t.regex(got.out, /OutOfResourcesSubOperations/, got.out);
  t.deepEqual(readdirSync(out), []);
  const logged = f().warnings.find((w) => w.event === 'dimse.c-get.unreadable' && w.sopInstanceUid === r.sopInstanceUid);
  t.is(logged?.code, 'UNAVAILABLE');
  t.regex(String(logged?.error), /edge:h-down/);
});

test.serial('C-MOVE of a series partly at an unreachable edge sends what the city holds and reports the failed sub-operation', async (t) => {
  const [study, series] = [newUid(), newUid()];
  const inCity = await ingest(f().city, study, series);
  await atEdgeOnly(study, series);
  const moved = await run('movescu', scu(['-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${study}`, '-k', `SeriesInstanceUID=${series}`]));
  t.regex(moved.out, /SubOperationsCompleteOneOrMoreFailures/, moved.out);
  const received = readdirSync(f().peerDir);
  t.true(received.some((name) => name.includes(inCity.sopInstanceUid)), received.join(', '));
  const allDown = await atEdgeOnly(newUid(), newUid());
  const failed = await run('movescu', scu(['-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${allDown.studyInstanceUid}`]));
  t.regex(failed.out, /OutOfResourcesSubOperations/, failed.out);
  t.true(f().warnings.some((w) => w.event === 'dimse.c-move.unreadable' && w.sopInstanceUid === allDown.sopInstanceUid));
});
