// Rules that relate sections to each other. They run on whatever the section parsers could read, so
// a typo in one node does not hide a port clash in another; a section that could not be read at all
// is skipped, because every rule against it would only repeat its own error.
import { formatPath, plural } from './read-fields.ts';
import type { Issues, IssuePath } from './read-fields.ts';
import type { Hospital, IndexSettings, NodeSpec, Platform, Replication, Role, Zone } from './topology-types.ts';

export interface Sections {
  readonly platform?: Platform;
  readonly zones?: readonly (Zone | undefined)[];
  readonly nodes?: readonly (NodeSpec | undefined)[];
  readonly hospitals?: readonly (Hospital | undefined)[];
  readonly replication?: Replication;
  readonly index?: IndexSettings;
}

export function checkReferences(issues: Issues, sections: Sections): void {
  const { nodes } = sections;
  if (nodes === undefined) return;
  if (sections.zones !== undefined) checkZonesDeclared(issues, nodes, sections.zones);
  if (sections.hospitals !== undefined) {
    checkNodeHospitals(issues, nodes, sections.hospitals);
    checkHospitalEdges(issues, nodes, sections.hospitals);
  }
  checkPorts(issues, nodes);
  checkRoleCoverage(issues, nodes, sections.platform, sections.index);
  if (sections.replication !== undefined) {
    const storage = nodesWith(nodes, 'storage').length;
    const { factor } = sections.replication;
    if (factor > storage) {
      issues.push({ at: ['replication', 'factor'], message: `${factor} exceeds the ${plural(storage, 'storage node')}` });
    }
  }
}

function nodesWith(nodes: readonly (NodeSpec | undefined)[], role: Role): IssuePath[] {
  return nodes.flatMap((node, i) => (node?.roles.includes(role) === true ? [['nodes', i]] : []));
}

function checkZonesDeclared(issues: Issues, nodes: readonly (NodeSpec | undefined)[], zones: readonly (Zone | undefined)[]): void {
  const declared = new Set(zones.map((zone) => zone?.id));
  nodes.forEach((node, i) => {
    if (node === undefined || node.zone === '' || declared.has(node.zone)) return;
    issues.push({ at: ['nodes', i, 'zone'], message: `zone "${node.zone}" is not declared in zones` });
  });
}

/** An edge node's `hospital` and that hospital's `edgeNode` must name each other. */
function checkNodeHospitals(issues: Issues, nodes: readonly (NodeSpec | undefined)[], hospitals: readonly (Hospital | undefined)[]): void {
  nodes.forEach((node, i) => {
    if (node?.hospital === undefined || node.hospital === '') return;
    const at = ['nodes', i, 'hospital'];
    const j = hospitals.findIndex((hospital) => hospital?.id === node.hospital);
    const hospital = hospitals[j];
    if (hospital === undefined) {
      issues.push({ at, message: `hospital "${node.hospital}" is not declared in hospitals` });
    } else if (hospital.edgeNode !== node.id) {
      const named = hospital.edgeNode === undefined ? 'no edge node' : `edge node "${hospital.edgeNode}"`;
      issues.push({ at, message: `hospital "${hospital.id}" names ${named} in hospitals[${j}].edgeNode, not this node` });
    }
  });
}

function checkHospitalEdges(issues: Issues, nodes: readonly (NodeSpec | undefined)[], hospitals: readonly (Hospital | undefined)[]): void {
  hospitals.forEach((hospital, j) => {
    if (hospital?.edgeNode === undefined || hospital.edgeNode === '') return;
    const at = ['hospitals', j, 'edgeNode'];
    const i = nodes.findIndex((node) => node?.id === hospital.edgeNode);
    const node = nodes[i];
    if (node === undefined) {
      issues.push({ at, message: `node "${hospital.edgeNode}" is not declared in nodes` });
    } else if (!node.roles.includes('edge')) {
      issues.push({ at, message: `node "${node.id}" does not have the edge role` });
    } else if (node.hospital !== undefined && node.hospital !== hospital.id) {
      issues.push({ at, message: `node "${node.id}" serves hospital "${node.hospital}" (nodes[${i}].hospital)` });
    }
  });
}

/** HTTP and DICOM listeners share one TCP port space per host. */
function checkPorts(issues: Issues, nodes: readonly (NodeSpec | undefined)[]): void {
  const owners = new Map<string, IssuePath>();
  const claim = (host: string, port: number, at: IssuePath): void => {
    if (host === '' || port === 0) return;
    const key = `${host} ${port}`;
    const owner = owners.get(key);
    if (owner === undefined) owners.set(key, at);
    else issues.push({ at, message: `port ${port} on ${host} is already used by ${formatPath(owner)}` });
  };
  nodes.forEach((node, i) => {
    if (node === undefined) return;
    claim(node.http.host, node.http.port, ['nodes', i, 'http', 'port']);
    if (node.dicom !== undefined) claim(node.http.host, node.dicom.port, ['nodes', i, 'dicom', 'port']);
  });
}

function checkRoleCoverage(
  issues: Issues, nodes: readonly (NodeSpec | undefined)[], platform: Platform | undefined, index: IndexSettings | undefined,
): void {
  if (nodesWith(nodes, 'api').length === 0) issues.push({ at: ['nodes'], message: 'no node has the api role (every platform needs one)' });
  const indexNodes = nodesWith(nodes, 'index');
  if (indexNodes.length === 0) issues.push({ at: ['nodes'], message: 'no node has the index role (every platform needs one)' });
  if (index?.engine === 'sqlite' && indexNodes.length > 1) {
    const which = indexNodes.map(formatPath).join(', ');
    const message = `sqlite keeps the index in one node's file, but ${indexNodes.length} nodes have the index role (${which})`;
    issues.push({ at: ['index', 'engine'], message });
  }
  if (platform?.level === 'embedded' && nodes.length !== 1) {
    issues.push({ at: ['nodes'], message: `an embedded platform runs exactly one node, found ${nodes.length}` });
  }
}
