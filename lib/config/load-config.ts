// Reads the YY_ environment into a validated, frozen Config. Only entry points call this (with
// process.env); everything else receives the Config.
import { isIP } from 'node:net';
import { CONFIG_KEYS, type ConfigKey, type KeyKind } from './config-keys.ts';

export interface DicomPeer {
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
}

export interface Config {
  readonly dataDir: string;
  readonly topologyFile?: string;
  readonly nodeId?: string;
  readonly natsUrl?: readonly string[];
  readonly cassandraContactPoints?: readonly string[];
  readonly cassandraLocalDataCenter?: string;
  readonly httpHost?: string;
  readonly httpPort?: number;
  readonly dicomPort?: number;
  readonly adminToken?: string;
  readonly dicomPeers: readonly DicomPeer[];
  /** Raw `AET` / `AET@ip` items; lib/dimse/ae-policy.ts parses them. */
  readonly dicomAllowedAes?: readonly string[];
  readonly defaultCharacterSet: string;
  readonly replaceDuplicates: 'true' | 'false';
  readonly maxObjectBytes: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  readonly logFormat: 'json' | 'text';
  readonly requestTimeoutSeconds: number;
  readonly retryAttempts: number;
  readonly circuitBreakerThreshold: number;
  readonly circuitBreakerWindowSeconds: number;
  readonly heartbeatIntervalSeconds: number;
  readonly heartbeatTimeoutSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly storageMaxFillRatio: number;
  readonly storageWriteQuorum?: number;
  readonly storageRepairIntervalSeconds: number;
  readonly storageRepairBytesPerSecond: number;
  readonly storageScrubBytesPerSecond: number;
  readonly storageReleaseGraceSeconds: number;
  readonly corsOrigins?: string;
  readonly crossOriginIsolation: 'on' | 'off';
  readonly edgeUploadConcurrency: number;
  readonly edgeUploadBytesPerSecond: number;
  readonly edgeRetryBaseSeconds: number;
  readonly edgeRetryMaxSeconds: number;
  readonly edgeStudyStableSeconds: number;
  readonly edgeRetainDays: number;
  readonly edgeHeartbeatSeconds: number;
  readonly edgeFetchTimeoutSeconds: number;
  readonly retrievalCacheBytes: number;
  readonly retrievalCacheMaxItemBytes: number;
  readonly prefetchConcurrency: number;
}

export class ConfigError extends Error {
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${i}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

type Parsed = string | number | readonly string[] | readonly DicomPeer[];

const HOST_PORT = /^(?<host>[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(?<port>\d{1,5})$/;
const AE_PEER = /^(?<ae>[^\\@]{1,16})@(?<host>[A-Za-z0-9.-]+):(?<port>\d{1,5})$/;
const AE_ALLOWED = /^[^\\@]{1,16}(@[0-9A-Fa-f.:]+)?$/;

function parsePort(raw: string): number | undefined {
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  return n >= 1 && n <= 65535 ? n : undefined;
}

function parseListItem(item: string, kind: 'url' | 'hostPort' | 'aePeer' | 'aeAllowed'): string | DicomPeer | undefined {
  switch (kind) {
    case 'url':
      return /^(nats|tls):\/\/[^\s/]+(:\d{1,5})?$/.test(item) ? item : undefined;
    case 'hostPort': {
      const m = HOST_PORT.exec(item);
      return m?.groups && parsePort(m.groups.port ?? '') ? item : undefined;
    }
    case 'aeAllowed':
      return AE_ALLOWED.test(item) && (!item.includes('@') || isIP(item.slice(item.lastIndexOf('@') + 1)) !== 0) ? item : undefined;
    case 'aePeer': {
      const g = AE_PEER.exec(item)?.groups;
      const port = parsePort(g?.port ?? '');
      return g && port ? { aeTitle: (g.ae ?? '').trim(), host: g.host ?? '', port } : undefined;
    }
  }
}

const EXPECTED: Record<'url' | 'hostPort' | 'aePeer' | 'aeAllowed', string> = {
  url: 'nats://host:port', hostPort: 'host:port', aePeer: 'AET@host:port', aeAllowed: 'AET or AET@ip-address',
};

/** Returns the parsed value, or a sentence saying what was expected. */
function parseValue(raw: string, type: KeyKind): { value: Parsed } | { expected: string } {
  switch (type.kind) {
    case 'string':
      return !type.pattern || type.pattern.test(raw) ? { value: raw } : { expected: type.hint ?? `a value matching ${String(type.pattern)}` };
    case 'secret':
      return raw.length >= type.minLength && !/\s/.test(raw) ? { value: raw } : { expected: `at least ${type.minLength} characters without spaces` };
    case 'path':
      return raw.length > 0 ? { value: raw } : { expected: 'a path' };
    case 'host':
      return isIP(raw) !== 0 || /^[A-Za-z0-9.-]{1,253}$/.test(raw) ? { value: raw } : { expected: 'an IP address or host name' };
    case 'port': {
      const port = parsePort(raw);
      return port ? { value: port } : { expected: 'a port (1-65535)' };
    }
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      const ok = Number.isFinite(n) && n >= type.min && n <= type.max && (!type.integer || Number.isInteger(n));
      return ok ? { value: n } : { expected: `${type.integer ? 'a whole number' : 'a number'} from ${type.min} to ${type.max}` };
    }
    case 'enum':
      return type.values.includes(raw) ? { value: raw } : { expected: `one of ${type.values.join(', ')}` };
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      const parsed = items.map((item) => parseListItem(item, type.item));
      const bad = items.find((_, i) => parsed[i] === undefined);
      if (bad !== undefined || items.length === 0) return { expected: `a comma-separated list of ${EXPECTED[type.item]}${bad ? ` ("${bad}" is not one)` : ''}` };
      return { value: parsed as readonly string[] | readonly DicomPeer[] };
    }
  }
}

/** Validates every YY_ key of `env`; reports all problems at once, each naming its variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const issues: string[] = [];
  const out: Record<string, Parsed> = { dicomPeers: [] };
  for (const [key, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, (typeof CONFIG_KEYS)[ConfigKey]][]) {
    const raw = env[spec.env] ?? ('default' in spec ? spec.default : undefined);
    if (raw === undefined || raw === '') continue;
    const result = parseValue(raw, spec.type);
    if ('value' in result) out[key] = result.value;
    else issues.push(`${spec.env}: ${spec.type.kind === 'secret' ? 'the value' : JSON.stringify(raw)} is not ${result.expected}`);
  }
  const known = new Set<string>(Object.values(CONFIG_KEYS).map((s) => s.env));
  for (const name of Object.keys(env)) {
    if (name.startsWith('YY_') && !known.has(name) && !TOOLING_VARIABLES.has(name)) issues.push(`${name}: unknown setting (see docs/configuration.md)`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze(out) as unknown as Config;
}

/** Variables read by the project's scripts, not by the platform. */
const TOOLING_VARIABLES = new Set(['YY_CACHE_DIR', 'YY_SERVICES_DIR', 'YY_NATS_PORT', 'YY_CQL_PORT', 'YY_CASSANDRA_STORAGE_PORT', 'YY_CASSANDRA_HEAP', 'YY_STORAGE_API']);
