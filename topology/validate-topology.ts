// Validation of the plain value of a topology document, section by section, then across sections.
// Defaults are filled while reading, so what comes out is complete.
import { checkReferences } from './check-references.ts';
import { parseIndex, parseNats, parsePlacement, parseReplication } from './parse-cluster-settings.ts';
import { parseNodes } from './parse-nodes.ts';
import { parseFederation, parseHospitals, parsePlatform, parseZones } from './parse-platform.ts';
import { Fields } from './read-fields.ts';
import type { Issues } from './read-fields.ts';
import type { Topology } from './topology-types.ts';

const TOP_LEVEL_KEYS = ['platform', 'zones', 'nodes', 'hospitals', 'replication', 'placement', 'nats', 'index', 'federation'];

/** Records every problem in `issues`; returns the topology only when there is none. */
export function validateTopology(issues: Issues, value: unknown): Topology | undefined {
  if (value === null || value === undefined) {
    issues.push({ at: [], message: 'the topology is empty' });
    return undefined;
  }
  const root = Fields.open(issues, value, [], TOP_LEVEL_KEYS);
  if (root === undefined) return undefined;
  const platform = parsePlatform(root);
  const sections = {
    platform,
    zones: parseZones(root),
    nodes: parseNodes(root),
    hospitals: parseHospitals(root),
    replication: parseReplication(root),
    placement: parsePlacement(root),
    nats: parseNats(root, platform),
    index: parseIndex(root, platform),
    federation: parseFederation(root, platform),
  };
  checkReferences(issues, sections);
  if (issues.length > 0) return undefined;
  return assemble(sections);
}

type Parsed = {
  readonly [K in keyof Topology]: K extends 'zones' | 'nodes' | 'hospitals' | 'federation'
    ? readonly (Topology[K][number] | undefined)[] | undefined
    : Topology[K] | undefined;
};

/** Without issues every section was read in full; the checks here only convince the type checker. */
function assemble(parsed: Parsed): Topology | undefined {
  const { platform, zones, nodes, hospitals, replication, placement, nats, index, federation } = parsed;
  if (platform === undefined || replication === undefined || placement === undefined || index === undefined) return undefined;
  const lists = { zones: complete(zones), nodes: complete(nodes), hospitals: complete(hospitals), federation: complete(federation) };
  if (lists.zones === undefined || lists.nodes === undefined || lists.hospitals === undefined || lists.federation === undefined) {
    return undefined;
  }
  return {
    platform, zones: lists.zones, nodes: lists.nodes, hospitals: lists.hospitals, replication, placement,
    ...(nats === undefined ? {} : { nats }),
    index, federation: lists.federation,
  };
}

function complete<T>(items: readonly (T | undefined)[] | undefined): readonly T[] | undefined {
  if (items === undefined || !items.every((item): item is T => item !== undefined)) return undefined;
  return items;
}
