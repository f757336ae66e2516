// The storage cluster's checks from the issue, over a real NATS and the real Cassandra index, with the
// storage nodes as processes: 3 nodes in 2 zones, replication factor 2. The steps share one cluster
// and run in order: ingest with a node SIGKILLed halfway, recovery, read repair of a corrupted file,
// a 4th node, a drain, garbage collection.
import test from 'ava';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { readReplicas } from '../../lib/storage-model/blob-index.ts';
import { waitFor } from '../helpers/processes.ts';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import { readAll } from './blob-store-contract.ts';
import { startStorageCluster, TOKEN, type StorageCluster } from './storage-cluster.ts';

const INSTANCES = 2000;
const CONCURRENCY = 8;
/** Blob hashes of the acknowledged instances, and their SOP Instance UIDs. */
const acknowledged: string[] = [];
const instanceOf = new Map<string, string>();
let cluster: StorageCluster;

test.before(async () => {
  cluster = await startStorageCluster('storage', {
    storage: [{ id: 'storage-1', zone: 'dc1' }, { id: 'storage-2', zone: 'dc2' }, { id: 'storage-3', zone: 'dc1' }, { id: 'storage-4', zone: 'dc2' }],
    startNow: ['storage-1', 'storage-2', 'storage-3'],
    factor: 2,
    env: { YY_STORAGE_RELEASE_GRACE_SECONDS: '1', YY_STORAGE_SCRUB_BYTES_PER_SECOND: '1024' },
  });
});

test.after.always(async () => { await cluster?.stop(); });

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The instance's catalog entry names the blob, and the blob's bytes hash to its name. */
async function readsBackRight(sha256: string): Promise<boolean> {
  const uid = instanceOf.get(sha256);
  const record = uid ? await cluster.ingest.archive?.catalog.getInstance(uid) : undefined;
  if (record?.sha256 !== sha256) return false;
  return sha256Of(await readAll(await cluster.store.open(sha256))) === sha256;
}

async function allReadBack(): Promise<string[]> {
  const bad: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < acknowledged.length) {
      const sha = acknowledged[next++] ?? '';
      if (!(await readsBackRight(sha).catch(() => false))) bad.push(sha);
    }
  }));
  return bad;
}

test.serial('2,000 instances ingested through the archive while a storage node is SIGKILLed halfway: every acknowledged one reads back; the factor is restored', async (t) => {
  t.timeout(900_000);
  const began = Date.now();
  const studies = Array.from({ length: 40 }, () => newUid());
  let started = 0;
  let failed = 0;
  let killed = false;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (started < INSTANCES) {
      const i = started++;
      if (i >= INSTANCES / 2 && !killed) { killed = true; cluster.kill('storage-2'); }
      const archive = cluster.ingest.archive;
      if (!archive) throw new Error('the ingest node runs no archive');
      const sopInstanceUid = newUid();
      const dicom = buildDicom({
        attributes: { StudyInstanceUID: studies[i % studies.length] ?? '', SeriesInstanceUID: newUid(), SOPInstanceUID: sopInstanceUid, PatientID: `P${i % 50}`, Modality: 'CT' },
        pixels: { rows: 16 + (i % 64), columns: 64, frames: 1, bitsAllocated: 16 },
      });
      const result = await archive.ingest(Readable.from([dicom]), { source: 'c-store', origin: 'test' }).catch((error: unknown) => ({ status: 'rejected' as const, reason: (error as Error).message }));
      if (result.status === 'stored') {
        acknowledged.push(result.sha256);
        instanceOf.set(result.sha256, sopInstanceUid);
      } else {
        failed += 1;
        if (failed <= 3) t.log(`not acknowledged: ${'reason' in result ? result.reason : result.status}`);
      }
    }
  }));
  t.log(`acknowledged ${acknowledged.length}, failed ${failed}, in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  t.true(acknowledged.length >= INSTANCES * 0.99, `${failed} writes failed`);
  t.deepEqual(await allReadBack(), [], 'every acknowledged instance reads back with its hash while storage-2 is down');

  let mark = Date.now();
  const down = await cluster.pass();
  t.log(`repair pass with storage-2 down: ${JSON.stringify(down.lastPass)} in ${((Date.now() - mark) / 1000).toFixed(1)} s`);
  mark = Date.now();
  t.is(down.underReplicated, 0, 'with storage-2 gone the blobs are copied to the other zone-1 node');
  cluster.start('storage-2');
  await cluster.waitLive(['storage-1', 'storage-2', 'storage-3']);
  let after = await cluster.pass();
  for (let i = 0; i < 5 && (after.lastPass?.copies ?? 0) + (after.lastPass?.removals ?? 0) > 0; i++) after = await cluster.pass();
  t.log(`storage-2 back and settled in ${((Date.now() - mark) / 1000).toFixed(1)} s`);
  t.is(after.underReplicated, 0);
  t.is(after.lastPass?.copies, 0, 'a settled cluster copies nothing');
  const objects = after.nodes.filter((n) => n.live).reduce((sum, n) => sum + n.objects, 0);
  t.is(objects, acknowledged.length * 2, 'exactly two replicas of every blob once storage-2 is back');
  t.deepEqual(await allReadBack(), []);
});

test.serial('a blob file corrupted on disk is served from the other replica and repaired', async (t) => {
  t.timeout(900_000);
  const sha = acknowledged[7] ?? '';
  const replicas = await readReplicas(cluster.index, sha);
  // The ingest node is in dc1: its reads go to the dc1 replica first, so corrupt that one.
  const near = replicas.find((r) => r.nodeId === 'storage-1' || r.nodeId === 'storage-3');
  t.truthy(near);
  const nodeId = near?.nodeId ?? '';
  await cluster.corruptReplica(nodeId, sha);
  t.false(await cluster.replicaGood(nodeId, sha));
  t.true(await readsBackRight(sha), 'served from the other replica');
  await waitFor('the corrupted replica to be repaired', async () => (await cluster.replicaGood(nodeId, sha)) || undefined, 20_000, 200);
  const metrics = await (await fetch(`http://127.0.0.1:${cluster.apiPort}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  t.regex(metrics, /^yunying_storage_repairs_total\{reason="read_repair"[^}]*\} [1-9]/m);
});

test.serial('a 4th storage node receives no more than its fair share (1/4 of the replicas + 2 points)', async (t) => {
  t.timeout(900_000);
  cluster.start('storage-4');
  await cluster.waitLive(['storage-1', 'storage-2', 'storage-3', 'storage-4']);
  let moved = 0;
  let s = await cluster.pass();
  moved += s.lastPass?.copies ?? 0;
  for (let i = 0; i < 5 && (s.lastPass?.copies ?? 0) > 0; i++) { s = await cluster.pass(); moved += s.lastPass?.copies ?? 0; }
  const share = moved / (acknowledged.length * 2);
  t.log(`replicas moved to storage-4: ${moved} of ${acknowledged.length * 2} (${(share * 100).toFixed(1)} %)`);
  t.true(share <= 0.25 + 0.02, `moved ${share}`);
  t.true(share > 0.15, 'the new node did receive its share');
  t.is(s.nodes.find((n) => n.id === 'storage-4')?.objects, moved);
  t.is(s.underReplicated, 0);
  t.deepEqual(await allReadBack(), []);
});

test.serial('draining a node re-replicates every blob before the node is marked drained and released', async (t) => {
  t.timeout(900_000);
  const r = await fetch(`http://127.0.0.1:${cluster.apiPort}/api/storage/nodes/storage-1/drain`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  t.is(r.status, 202);
  const unknown = await fetch(`http://127.0.0.1:${cluster.apiPort}/api/storage/nodes/nope/drain`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'accept-language': 'en' } });
  t.is(unknown.status, 404);
  let s = await cluster.pass();
  for (let i = 0; i < 5 && s.nodes.find((n) => n.id === 'storage-1')?.state !== 'drained'; i++) s = await cluster.pass();
  t.is(s.nodes.find((n) => n.id === 'storage-1')?.state, 'drained');
  t.is(s.underReplicated, 0);
  let short = 0;
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < acknowledged.length) {
      const holders = (await readReplicas(cluster.index, acknowledged[next++] ?? '')).filter((x) => x.nodeId !== 'storage-1');
      if (holders.length < 2) short += 1;
    }
  }));
  t.is(short, 0, 'every blob has two replicas outside the drained node');
  cluster.kill('storage-1');
  await waitFor('storage-1 to leave', async () => ((await cluster.status()).nodes.find((n) => n.id === 'storage-1')?.live === false) || undefined, 20_000, 250);
  t.deepEqual(await allReadBack(), [], 'every blob reads back once the drained node is gone');
});

test.serial('a released blob is removed after the grace period only when no instance references it', async (t) => {
  t.timeout(900_000);
  const catalog = cluster.ingest.archive?.catalog;
  if (!catalog) return t.fail('no catalog');
  const [gone, kept] = [acknowledged[0] ?? '', acknowledged[1] ?? ''];
  t.is(await catalog.deleteInstance(instanceOf.get(gone) ?? ''), gone);
  await cluster.store.release(gone);
  // Released by mistake while its instance is still indexed: the catalog keeps it alive.
  await cluster.store.release(kept);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await cluster.pass();
  t.is(await cluster.store.stat(gone), undefined);
  t.deepEqual(await readReplicas(cluster.index, gone), []);
  t.true(await readsBackRight(kept));
});
