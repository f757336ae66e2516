// Weighted rendezvous placement and the replication plan, without a broker.
import test from 'ava';
import { createHash } from 'node:crypto';
import { placeReplicas, type PlacementNode } from '../../lib/storage-model/place-replicas.ts';
import { planReplication, type StorageMember } from '../../lib/storage-model/plan-replication.ts';
import { effectiveWriteQuorum, majority } from '../../lib/storage-model/quorum.ts';

const keys = Array.from({ length: 20_000 }, (_, i) => createHash('sha256').update(String(i)).digest('hex'));
const node = (id: string, zone: string, weight = 1): PlacementNode => ({ id, zone, weight });

test('placement is deterministic, puts replicas in distinct zones, and follows the weights', (t) => {
  const nodes = [node('s1', 'dc1', 1), node('s2', 'dc1', 3)];
  const share = keys.filter((k) => placeReplicas(nodes, k, 1, false)[0]?.id === 's2').length / keys.length;
  t.true(Math.abs(share - 0.75) < 0.02, `weight 3 of 4 won ${share}`);
  const zoned = [node('s1', 'dc1'), node('s2', 'dc2'), node('s3', 'dc1')];
  for (const k of keys.slice(0, 2000)) {
    const picked = placeReplicas(zoned, k, 2, true);
    t.deepEqual(picked, placeReplicas([...zoned].reverse(), k, 2, true));
    t.not(picked[0]?.zone, picked[1]?.zone);
  }
});

test('a fourth node takes only its fair share of the replicas; the rest stay put', (t) => {
  const before = [node('s1', 'dc1'), node('s2', 'dc2'), node('s3', 'dc1')];
  const after = [...before, node('s4', 'dc2')];
  let moved = 0;
  for (const k of keys) {
    const a = new Set(placeReplicas(before, k, 2, true).map((n) => n.id));
    moved += placeReplicas(after, k, 2, true).filter((n) => !a.has(n.id)).length;
  }
  const share = moved / (keys.length * 2);
  t.log(`replicas moved: ${(share * 100).toFixed(1)} %`);
  t.true(share <= 0.25 + 0.02, `moved ${share}`);
  // Without zones, plain rendezvous: 4 -> 5 equal nodes moves ~1/5.
  const five = [...after, node('s5', 'dc2')];
  const moved5 = keys.filter((k) => placeReplicas(after, k, 1, false)[0]?.id !== placeReplicas(five, k, 1, false)[0]?.id).length / keys.length;
  t.true(Math.abs(moved5 - 0.2) < 0.02, `moved ${moved5}`);
});

test('quorum: majority by default, never above the factor', (t) => {
  t.is(majority(2), 2);
  t.is(majority(3), 2);
  t.is(effectiveWriteQuorum(3, 2, undefined), 2);
  t.is(effectiveWriteQuorum(2, 2, 5), 2);
  t.is(effectiveWriteQuorum(3, 2, 1), 1);
});

function members(list: readonly [string, string, boolean, StorageMember['state']][]): Map<string, StorageMember> {
  return new Map(list.map(([id, zone, live, state]) => [id, { id, zone, weight: 1, live, state }]));
}

test('plan: a blob on a dead node is copied to restore the factor; nothing is removed from it', (t) => {
  const m = members([['s1', 'dc1', true, 'active'], ['s2', 'dc2', false, 'active'], ['s3', 'dc1', true, 'active']]);
  const sha = keys[0] ?? '';
  const plan = planReplication({ sha256: sha, replicas: ['s1', 's2'], members: m, factor: 2, distinctZones: true });
  t.true(plan.underReplicated);
  t.deepEqual(plan.copies, [{ to: 's3', from: 's1' }]);
  t.is(plan.reason, 'anti_entropy');
  t.deepEqual(plan.removals, []);
});

test('plan: when the node returns, the extra replica is removed and the blob is no longer under-replicated', (t) => {
  const m = members([['s1', 'dc1', true, 'active'], ['s2', 'dc2', true, 'active'], ['s3', 'dc1', true, 'active']]);
  for (const sha of keys.slice(0, 200)) {
    const plan = planReplication({ sha256: sha, replicas: ['s1', 's2', 's3'], members: m, factor: 2, distinctZones: true });
    t.false(plan.underReplicated);
    t.deepEqual(plan.copies, []);
    t.is(plan.removals.length, 1);
    t.not(plan.removals[0], 's2', 'the only dc2 replica stays');
  }
});

test('plan: a draining node still counts as a replica; it is copied off first and removed after the copy', (t) => {
  const m = members([['s1', 'dc1', true, 'draining'], ['s2', 'dc2', true, 'active'], ['s3', 'dc1', true, 'active']]);
  const sha = keys[1] ?? '';
  const first = planReplication({ sha256: sha, replicas: ['s1', 's2'], members: m, factor: 2, distinctZones: true });
  t.false(first.underReplicated, 'misplaced, not degraded');
  t.is(first.reason, 'drain');
  t.deepEqual(first.copies, [{ to: 's3', from: 's2' }]);
  t.deepEqual(first.removals, ['s1'], 'removed only after the copy succeeded (the caller checks)');
  const interrupted = planReplication({ sha256: sha, replicas: ['s1', 's2', 's3'], members: m, factor: 2, distinctZones: true });
  t.deepEqual(interrupted.copies, []);
  t.deepEqual(interrupted.removals, ['s1']);
});

test('plan: a new node gets a blob placement now gives it, copy first and remove after (rebalance)', (t) => {
  const m = members([['s1', 'dc1', true, 'active'], ['s2', 'dc2', true, 'active'], ['s3', 'dc1', true, 'active'], ['s4', 'dc2', true, 'active']]);
  const sha = keys.find((k) => placeReplicas([...m.values()], k, 2, true).some((n) => n.id === 's4')) ?? '';
  const held = placeReplicas([...m.values()].filter((n) => n.id !== 's4'), sha, 2, true).map((n) => n.id);
  const plan = planReplication({ sha256: sha, replicas: held, members: m, factor: 2, distinctZones: true });
  t.is(plan.reason, 'rebalance');
  t.deepEqual(plan.copies.map((c) => c.to), ['s4']);
  t.is(plan.removals.length, 1);
});
