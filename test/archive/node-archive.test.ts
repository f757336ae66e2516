// The archive as the embedded node composes it: RunningNode.archive ingests through the one path into
// the SQLite index and the local disk, its metrics appear on the node's registry, the `archive` service
// answers whether a blob is referenced, and leftover spool files of a previous run are removed at start.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config/load-config.ts';
import { resolveNode } from '../../lib/config/resolve-node.ts';
import { loadTopology } from '../../topology/load-topology.ts';
import { findNode } from '../../topology/topology-queries.ts';
import { startNode } from '../../services/start-node.ts';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import { freePort, ROOT, tempDir } from '../helpers/processes.ts';
import { streamOf } from './archive-fixture.ts';

test('the embedded node offers its archive, counts ingest and index calls, and empties the spool at start', async (t) => {
  const dataDir = tempDir('node-archive');
  mkdirSync(join(dataDir, 'spool'), { recursive: true });
  writeFileSync(join(dataDir, 'spool', 'left-over.part'), 'from a crashed run');
  const topology = loadTopology(join(ROOT, 'topology', 'examples', 'embedded.yaml'));
  const config = loadConfig({ YY_DATA_DIR: dataDir, YY_LOG_LEVEL: 'warn', YY_HTTP_PORT: String(await freePort()), YY_DICOM_PORT: String(await freePort()) });
  const node = await startNode(resolveNode(topology, findNode(topology, 'yunying'), config, dataDir), 'test');
  t.teardown(() => node.stop());
  const archive = node.archive;
  if (!archive) return t.fail('no archive on an embedded node');
  t.deepEqual(await readdir(archive.spoolDir), []);
  const study = newUid();
  const result = await archive.ingest(streamOf(buildDicom({ charset: 'ISO_IR 192', attributes: { StudyInstanceUID: study, PatientName: '王^小明', PatientID: 'N1' } })), { source: 'stow', origin: 'test' });
  if (result.status === 'rejected') return t.fail(result.reason);
  t.is(result.status, 'stored');
  t.like(await archive.ingest(streamOf(Buffer.from('not dicom')), { source: 'c-store' }), { status: 'rejected', outcome: 'cannotUnderstand' });
  t.is((await archive.catalog.listInstances(study)).length, 1);
  t.true(await node.broker.call<boolean, { sha256: string }>('archive.isBlobReferenced', { sha256: result.sha256 }));
  t.false(await node.broker.call<boolean, { sha256: string }>('archive.isBlobReferenced', { sha256: '0'.repeat(64) }));
  const metrics = await node.metrics.registry.metrics();
  t.regex(metrics, /^yunying_ingest_instances_total\{source="stow",outcome="stored"[^}]*\} 1$/m);
  t.regex(metrics, /^yunying_ingest_instances_total\{source="c-store",outcome="rejected"[^}]*\} 1$/m);
  t.regex(metrics, /^yunying_ingest_bytes_total\{source="stow"[^}]*\} [1-9]\d*$/m);
  t.regex(metrics, /^yunying_ingest_duration_seconds_count\{source="stow"[^}]*\} 1$/m);
  t.regex(metrics, /^yunying_index_query_duration_seconds_count\{table="instance_by_uid",operation="get"[^}]*\} [1-9]/m);
  t.regex(metrics, /^yunying_index_query_duration_seconds_count\{table="batch",operation="write"[^}]*\} [1-9]/m);
});
