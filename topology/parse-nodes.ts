// The `nodes` section: each node on its own. Rules that relate a node to other sections (zones,
// hospitals, ports of other nodes) live in check-references.ts.
import { parseCapacity } from './parse-capacity.ts';
import { checkChoice, checkHost, checkText, checkUniqueIds, describe, Fields } from './read-fields.ts';
import type { Issues, IssuePath } from './read-fields.ts';
import { ROLES } from './topology-types.ts';
import type { HttpEndpoint, NodeSpec, Role, StorageSpec } from './topology-types.ts';

const NODE_KEYS = ['id', 'zone', 'roles', 'http', 'dicom', 'storage', 'hospital'];
const DEFAULT_HTTP_HOST = '127.0.0.1';
/** The IANA-registered DICOM port and the AE title of ARCHITECTURE.md's embedded default. */
const DEFAULT_DICOM = { port: 11112, aeTitle: 'YUNYING' } as const;
/** PS3.5 §6.2: an AE title is at most 16 characters of the default repertoire, without backslash. */
const AE_TITLE_MAX = 16;
const HOSPITAL_RULE: BlockRule = { allowed: ['edge'], requiredBy: 'edge' };
// No requiredBy: a dimse node without the block gets DEFAULT_DICOM.
const DICOM_RULE: BlockRule = { allowed: ['dimse', 'edge'], requiredBy: 'edge' };
const STORAGE_RULE: BlockRule = { allowed: ['storage'], requiredBy: 'storage' };

interface NodeRoles {
  readonly list: readonly Role[];
  /** False when a role was misspelt: role-bound blocks are then not reported, to avoid cascades. */
  readonly complete: boolean;
}

export function parseNodes(root: Fields): readonly (NodeSpec | undefined)[] | undefined {
  const list = root.list('nodes', 'node');
  if (list === undefined) return undefined;
  const nodes = list.map((value, i) => parseNode(root.issues, value, ['nodes', i]));
  checkUniqueIds(root.issues, nodes, ['nodes']);
  return nodes;
}

function parseNode(issues: Issues, value: unknown, at: IssuePath): NodeSpec | undefined {
  const f = Fields.open(issues, value, at, NODE_KEYS);
  if (f === undefined) return undefined;
  const id = f.id('id') ?? '';
  const zone = f.id('zone') ?? '';
  const roles = parseRoles(f);
  const http = parseHttp(f);
  const dicom = parseDicom(f, id, roles);
  const storage = parseStorage(f, roles);
  const hospital = roleBlockPresent(f, 'hospital', roles, HOSPITAL_RULE) ? f.id('hospital') : undefined;
  return {
    id, zone, roles: roles.list, http,
    ...(dicom === undefined ? {} : { dicom }),
    ...(storage === undefined ? {} : { storage }),
    ...(hospital === undefined ? {} : { hospital }),
  };
}

function parseRoles(f: Fields): NodeRoles {
  const values = f.list('roles', 'role');
  if (values === undefined) return { list: [], complete: false };
  const list: Role[] = [];
  let complete = true;
  values.forEach((value, i) => {
    const at = [...f.path('roles'), i];
    const role = checkChoice(f.issues, value, at, ROLES, 'role');
    if (role === undefined) complete = false;
    else if (list.includes(role)) f.issues.push({ at, message: `duplicate role "${role}"` });
    else list.push(role);
  });
  return { list, complete };
}

interface BlockRule {
  /** Roles that allow the block. */
  readonly allowed: readonly Role[];
  /** A role that cannot do without it; absent when a default is filled instead. */
  readonly requiredBy?: Role;
}

/** Checks a role-bound block such as `storage` against the node's roles; returns whether it is present. */
function roleBlockPresent(f: Fields, key: string, roles: NodeRoles, rule: BlockRule): boolean {
  const present = f.has(key);
  if (!roles.complete) return present;
  if (present && !rule.allowed.some((role) => roles.list.includes(role))) {
    f.report(key, `only allowed on nodes with the ${rule.allowed.join(' or ')} role`);
  }
  if (!present && rule.requiredBy !== undefined && roles.list.includes(rule.requiredBy)) {
    f.report(key, `required by the ${rule.requiredBy} role`);
  }
  return present;
}

function parseHttp(f: Fields): HttpEndpoint {
  const http = f.nested('http', ['host', 'port']);
  if (http === undefined) return { host: DEFAULT_HTTP_HOST, port: 0 };
  const host = http.has('host') ? checkHost(http.issues, http.required('host'), http.path('host')) : DEFAULT_HTTP_HOST;
  return { host: host ?? '', port: http.integer('port', 1, 65535) ?? 0 };
}

function parseDicom(f: Fields, id: string, roles: NodeRoles): NodeSpec['dicom'] {
  const isEdge = roles.list.includes('edge');
  if (!roleBlockPresent(f, 'dicom', roles, DICOM_RULE)) {
    return roles.list.includes('dimse') && !isEdge ? DEFAULT_DICOM : undefined;
  }
  const dicom = f.nested('dicom', ['port', 'aeTitle']);
  if (dicom === undefined) return undefined;
  const port = dicom.has('port') || isEdge ? dicom.integer('port', 1, 65535) : DEFAULT_DICOM.port;
  // An edge serves one hospital's PACS; an AE title naming the node tells operators which one called.
  const aeTitle = dicom.has('aeTitle')
    ? checkAeTitle(dicom.issues, dicom.required('aeTitle'), dicom.path('aeTitle'))
    : isEdge ? id.toUpperCase().slice(0, AE_TITLE_MAX) : DEFAULT_DICOM.aeTitle;
  return { port: port ?? 0, aeTitle: aeTitle ?? '' };
}

export function checkAeTitle(issues: Issues, value: unknown, at: IssuePath): string | undefined {
  const title = checkText(issues, value, at);
  if (title === undefined) return undefined;
  const problem = title.length > AE_TITLE_MAX ? `is longer than ${AE_TITLE_MAX} characters`
    : title.includes('\\') ? 'must not contain a backslash'
    : /^[\x20-\x7e]+$/.test(title) ? undefined : 'must use printable ASCII characters only';
  if (problem === undefined) return title;
  issues.push({ at, message: `AE title "${title}" ${problem}` });
  return undefined;
}

function parseStorage(f: Fields, roles: NodeRoles): StorageSpec | undefined {
  if (!roleBlockPresent(f, 'storage', roles, STORAGE_RULE)) return undefined;
  const storage = f.nested('storage', ['path', 'capacity']);
  if (storage === undefined) return undefined;
  const path = storage.text('path') ?? '';
  const capacity = storage.required('capacity');
  const capacityBytes = capacity === undefined ? undefined : parseCapacity(capacity);
  if (capacity !== undefined && capacityBytes === undefined) {
    storage.report('capacity', `expected a positive number of bytes or a size like "2TiB", "500GiB", "10GB", got ${describe(capacity)}`);
  }
  return { path, capacityBytes: capacityBytes ?? 0 };
}
