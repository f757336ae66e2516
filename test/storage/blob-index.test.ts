// The storage tables (migration 20) and their access functions on the SQLite engine: replicas by blob,
// blobs by node (bucketed), node states, the release queue.
import test from 'ava';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createSqliteEngine } from '../../adapters/index-sqlite/index.ts';
import { PLATFORM_SCHEMA } from '../../lib/index-model/platform-schema.ts';
import { validateSchema } from '../../lib/index-model/current-tables.ts';
import {
  cancelRelease, forgetReplica, listNodeBlobs, listReleases, queueRelease, readNodeStates, readReplicas, recordReplica, writeNodeState,
} from '../../lib/storage-model/blob-index.ts';
import { tempDir } from '../helpers/processes.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('replicas, per-node lists, node states and releases round-trip through the index', async (t) => {
  validateSchema(PLATFORM_SCHEMA);
  const engine = createSqliteEngine({ file: join(tempDir('blob-index'), 'index.sqlite'), schema: PLATFORM_SCHEMA });
  t.teardown(() => engine.close());
  await engine.migrate();
  const [a, b] = [sha('a'), sha('b')];
  await recordReplica(engine, a, 10, 's1');
  await recordReplica(engine, a, 10, 's2');
  await recordReplica(engine, b, 20, 's1');
  t.deepEqual(await readReplicas(engine, a), [{ nodeId: 's1', size: 10 }, { nodeId: 's2', size: 10 }]);
  const onS1: string[] = [];
  for await (const blob of listNodeBlobs(engine, 's1')) onS1.push(blob.sha256);
  t.deepEqual(onS1.sort(), [a, b].sort());
  await forgetReplica(engine, a, 's1');
  t.deepEqual(await readReplicas(engine, a), [{ nodeId: 's2', size: 10 }]);

  await writeNodeState(engine, 's1', 'draining');
  t.deepEqual([...await readNodeStates(engine)], [['s1', 'draining']]);

  await queueRelease(engine, a, new Date(1000));
  await queueRelease(engine, b, new Date(2000));
  await cancelRelease(engine, b);
  const releases: { sha256: string; releasedAt: Date }[] = [];
  for await (const r of listReleases(engine)) releases.push(r);
  t.deepEqual(releases, [{ sha256: a, releasedAt: new Date(1000) }]);
});
