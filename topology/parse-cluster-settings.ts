// Sections that say how the cluster keeps data: replication, placement, nats, index.
import { checkHost, checkInteger, checkUrl, describe, isMapping } from './read-fields.ts';
import type { Fields } from './read-fields.ts';
import { INDEX_ENGINES } from './topology-types.ts';
import type { IndexSettings, NatsSettings, Placement, Platform, Replication } from './topology-types.ts';

/** Cassandra's limit on keyspace names; unquoted names are folded to lower case, so ask for it. */
const KEYSPACE_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;

type CassandraSettings = NonNullable<IndexSettings['cassandra']>;

export function parseReplication(root: Fields): Replication | undefined {
  const f = root.nested('replication', ['factor', 'writeQuorum']);
  if (f === undefined) return undefined;
  const factor = f.integer('factor', 1, Infinity);
  if (!f.has('writeQuorum')) {
    // A majority: a write then survives losing a minority of copies before repair catches up.
    return factor === undefined ? undefined : { factor, writeQuorum: Math.floor(factor / 2) + 1 };
  }
  const writeQuorum = f.integer('writeQuorum', 1, Infinity);
  if (factor !== undefined && writeQuorum !== undefined && writeQuorum > factor) {
    f.report('writeQuorum', `${writeQuorum} exceeds replication.factor ${factor}`);
  }
  return factor === undefined || writeQuorum === undefined ? undefined : { factor, writeQuorum };
}

export function parsePlacement(root: Fields): Placement | undefined {
  if (!root.has('placement')) return { distinctZones: true };
  const f = root.nested('placement', ['distinctZones']);
  if (f === undefined) return undefined;
  const distinctZones = f.has('distinctZones') ? f.flag('distinctZones') : true;
  return distinctZones === undefined ? undefined : { distinctZones };
}

export function parseNats(root: Fields, platform: Platform | undefined): NatsSettings | undefined {
  if (!root.has('nats')) {
    // Only the embedded platform runs in one process, where Moleculer needs no transporter.
    if (platform !== undefined && platform.level !== 'embedded') {
      root.report('nats', `required for a ${platform.level} platform (its nodes talk over NATS)`);
    }
    return undefined;
  }
  const f = root.nested('nats', ['servers']);
  const list = f?.list('servers', 'server URL');
  if (f === undefined || list === undefined) return undefined;
  const servers = list.map((value, i) => checkUrl(f.issues, value, [...f.path('servers'), i], ['nats:', 'tls:']) ?? '');
  return { servers };
}

export function parseIndex(root: Fields, platform: Platform | undefined): IndexSettings | undefined {
  const f = root.nested('index', ['engine', 'cassandra']);
  if (f === undefined) return undefined;
  const engine = f.choice('engine', INDEX_ENGINES, 'index engine');
  if (engine === 'sqlite') {
    if (f.has('cassandra')) f.report('cassandra', 'only allowed when index.engine is cassandra');
    return { engine };
  }
  if (!f.has('cassandra')) {
    if (engine === 'cassandra') f.report('cassandra', 'required when index.engine is cassandra');
    return undefined;
  }
  const cassandra = parseCassandra(f, platform);
  return engine === undefined ? undefined : { engine, cassandra };
}

function parseCassandra(index: Fields, platform: Platform | undefined): CassandraSettings {
  const f = index.nested('cassandra', ['contactPoints', 'localDataCenter', 'keyspace', 'replication']);
  if (f === undefined) return { contactPoints: [], localDataCenter: '', keyspace: '', replication: {} };
  const points = f.list('contactPoints', 'contact point') ?? [];
  const contactPoints = points.map((value, i) => checkHost(f.issues, value, [...f.path('contactPoints'), i]) ?? '');
  const localDataCenter = f.text('localDataCenter') ?? '';
  const replication = parseDataCenters(f);
  if (localDataCenter !== '' && replication !== undefined && !Object.hasOwn(replication, localDataCenter)) {
    // LOCAL_QUORUM needs replicas in the local data center, or every query fails.
    f.report('localDataCenter', `"${localDataCenter}" has no entry in index.cassandra.replication`);
  }
  const keyspace = f.has('keyspace') ? checkKeyspace(f, 'keyspace') : defaultKeyspace(f, platform);
  return { contactPoints, localDataCenter, keyspace, replication: replication ?? {} };
}

/** Replicas per Cassandra data center, as NetworkTopologyStrategy takes them. */
function parseDataCenters(f: Fields): Readonly<Record<string, number>> | undefined {
  const value = f.required('replication');
  if (value === undefined) return undefined;
  if (!isMapping(value) || Object.keys(value).length === 0) {
    f.report('replication', `expected a mapping of data center name to replica count, got ${describe(value)}`);
    return undefined;
  }
  const counts: Record<string, number> = {};
  for (const [dataCenter, count] of Object.entries(value)) {
    counts[dataCenter] = checkInteger(f.issues, count, [...f.path('replication'), dataCenter], 1, Infinity) ?? 0;
  }
  return counts;
}

function checkKeyspace(f: Fields, key: string): string {
  const keyspace = f.text(key);
  if (keyspace === undefined) return '';
  if (!KEYSPACE_PATTERN.test(keyspace)) {
    f.report(key, `"${keyspace}" is not a valid keyspace (a lowercase letter, then up to 47 lowercase letters, digits or '_')`);
  }
  return keyspace;
}

function defaultKeyspace(f: Fields, platform: Platform | undefined): string {
  if (platform === undefined) return '';
  const keyspace = `yunying_${platform.id.replaceAll('-', '_')}`;
  if (!KEYSPACE_PATTERN.test(keyspace)) {
    f.report('keyspace', `the default "${keyspace}" (from platform.id) is not a valid keyspace: set one`);
  }
  return keyspace;
}
