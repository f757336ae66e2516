import test from 'ava';
import { summarizeCluster, type HealthAnswer, type NodeHealth } from '../lib/cluster/node-health.ts';

const health = (nodeId: string): NodeHealth => ({
  nodeId, roles: ['storage'], zone: 'dc1', version: '0.1.0', uptimeSeconds: 1, status: 'ok', dependencies: [],
});

test('live nodes are listed by id with their metadata; lost ones go to offline', (t) => {
  const answers = new Map<string, HealthAnswer>([['b', { ok: true, health: health('b') }], ['a', { ok: false, error: 'Request timed out' }]]);
  const view = summarizeCluster('city-x', [
    { id: 'b', available: true, local: false, metadata: { roles: ['storage'], zone: 'dc2', version: '0.1.0' } },
    { id: 'a', available: true, local: true, metadata: { roles: ['api', 42], zone: 'dc1', hospital: 'h1' } },
    { id: 'c', available: false, local: false, metadata: { zone: 'dc2' }, lastHeartbeatTime: Date.UTC(2026, 0, 2) },
  ], answers);
  t.deepEqual(view.nodes.map((n) => n.id), ['a', 'b']);
  t.deepEqual(view.nodes[0], { id: 'a', roles: ['api'], zone: 'dc1', local: true, hospital: 'h1', healthError: 'Request timed out' });
  t.is(view.nodes[1]?.health?.nodeId, 'b');
  t.deepEqual(view.offline, [{ id: 'c', zone: 'dc2', lastSeen: '2026-01-02T00:00:00.000Z' }]);
});

test('metadata from the wire that is not an object does not break the view', (t) => {
  const view = summarizeCluster('p', [{ id: 'x', available: true, local: false, metadata: 'garbage' }], new Map());
  t.deepEqual(view.nodes, [{ id: 'x', roles: [], zone: 'unknown', local: false }]);
});
