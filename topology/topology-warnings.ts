// Things that are valid but worth telling the operator at start-up: the platform runs, degraded.
import { plural } from './read-fields.ts';
import { storageNodes } from './topology-queries.ts';
import type { Topology } from './topology-types.ts';

export function topologyWarnings(t: Topology): string[] {
  const warnings: string[] = [];
  const zones = [...new Set(storageNodes(t).map((node) => node.zone))];
  if (t.placement.distinctZones && t.replication.factor > zones.length) {
    warnings.push(
      `placement.distinctZones: replication.factor ${t.replication.factor} exceeds the ` +
      `${plural(zones.length, 'zone')} holding storage nodes (${zones.join(', ')}); some replicas will share a zone`,
    );
  }
  return warnings;
}
