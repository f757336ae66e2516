// The `node` service runs on every node: `node.health` says who the node is (roles, zone,
// version, uptime) and whether what it depends on answers.
import type { ServiceSchema } from 'moleculer';
import { healthStatus, type DependencyStatus, type NodeHealth, type StorageDisk } from '../../lib/cluster/node-health.ts';
import type { NodeSpec } from '../../topology/topology-types.ts';

export interface NodeServiceDeps {
  readonly node: NodeSpec;
  readonly version: string;
  readonly startedAt: number;
  readonly dependencies: () => Promise<readonly DependencyStatus[]>;
  readonly storageDisk?: () => Promise<StorageDisk>;
}

export async function readNodeHealth(deps: NodeServiceDeps): Promise<NodeHealth> {
  const [dependencies, storage] = await Promise.all([deps.dependencies(), deps.storageDisk?.()]);
  return {
    nodeId: deps.node.id,
    roles: deps.node.roles,
    zone: deps.node.zone,
    ...(deps.node.hospital ? { hospital: deps.node.hospital } : {}),
    version: deps.version,
    uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 100) / 10,
    status: healthStatus(dependencies),
    dependencies,
    ...(storage ? { storage } : {}),
  };
}

export function createNodeService(deps: NodeServiceDeps): ServiceSchema {
  return {
    name: 'node',
    actions: {
      health: {
        // Answered from memory and one ping per dependency: cheap enough to poll.
        handler: () => readNodeHealth(deps),
      },
    },
  };
}
