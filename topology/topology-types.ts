// The shape of a validated topology. `loadTopology()` returns this, frozen; everything downstream
// (node runner, placement, monitoring config) reads these types and never the raw YAML.

/** Every role a node may carry. A role names a set of services; see services/roles.ts. */
export const ROLES = [
  'api', // HTTP: DICOMweb, REST, web UI, /api/cluster
  'dimse', // DICOM C-ECHO/STORE/FIND/MOVE/GET SCP
  'ingest', // the one ingest path
  'index', // owns the index engine (SQLite or Cassandra) and its migrations
  'storage', // blob storage node
  'retrieval', // retrieval router and cache
  'repair', // scrubber, anti-entropy, rebalance
  'edge', // hospital front-end processor (前置机)
  'recognition', // mutual recognition (互认)
  'qc', // data-quality control
  'mpi', // master patient index
  'federation', // city <-> province exchange
] as const;
export type Role = (typeof ROLES)[number];

export const PLATFORM_LEVELS = ['embedded', 'city', 'province'] as const;
export type PlatformLevel = (typeof PLATFORM_LEVELS)[number];

export const STORAGE_MODES = ['centralized', 'distributed'] as const;
export type StorageMode = (typeof STORAGE_MODES)[number];

export const INDEX_ENGINES = ['sqlite', 'cassandra'] as const;
export type IndexEngineKind = (typeof INDEX_ENGINES)[number];

export interface Platform {
  /** Identifier, also the Moleculer namespace: lowercase letters, digits and '-'. */
  readonly id: string;
  readonly level: PlatformLevel;
  /** Name shown to people, e.g. 武汉市区域云影像平台. */
  readonly name: string;
}

export interface Zone {
  /** A data center. */
  readonly id: string;
  readonly name: string;
}

export interface HttpEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface StorageSpec {
  /** Directory for blobs; relative paths resolve against the data directory. */
  readonly path: string;
  /** Capacity the node offers; placement weights by it. */
  readonly capacityBytes: number;
}

export interface NodeSpec {
  /** Moleculer nodeID. */
  readonly id: string;
  readonly zone: string;
  readonly roles: readonly Role[];
  /** Every node serves /health and /metrics; `api` nodes also serve the HTTP API on it. */
  readonly http: HttpEndpoint;
  /** Present on nodes with the `dimse` or `edge` role. */
  readonly dicom?: { readonly port: number; readonly aeTitle: string };
  /** Present on nodes with the `storage` role. */
  readonly storage?: StorageSpec;
  /** Present on nodes with the `edge` role: the hospital it serves. */
  readonly hospital?: string;
}

export interface Hospital {
  /** Institution code, e.g. the 医疗机构登记号 or a local code. */
  readonly id: string;
  readonly name: string;
  readonly storageMode: StorageMode;
  /** The edge node (前置机) of this hospital; absent for a hospital reached by pass-through. */
  readonly edgeNode?: string;
  /** A hospital without an edge: its PACS, registered as a pass-through source (lib/remote/). */
  readonly remote?: RemoteSourceSpec;
}

/** A hospital PACS the city retrieves from on demand, over DICOMweb or DIMSE. */
export type RemoteSourceSpec =
  | {
    readonly protocol: 'dicomweb';
    /** The DICOMweb root, e.g. https://pacs.h420103.example/dicom-web (no trailing slash). */
    readonly url: string;
    /** Name of the environment variable that holds the bearer token (the token never sits in the file). */
    readonly tokenEnv?: string;
  }
  | {
    readonly protocol: 'dimse';
    readonly aeTitle: string;
    readonly host: string;
    readonly port: number;
    /** The AE title the city calls with; default: the city DIMSE node's own. */
    readonly callingAeTitle?: string;
  };

export interface Replication {
  /** Number of copies of every blob. */
  readonly factor: number;
  /** Copies that must be durable before a write is acknowledged; default: majority of factor. */
  readonly writeQuorum: number;
}

export interface Placement {
  /** Put replicas of one blob in distinct zones where the live nodes allow it. */
  readonly distinctZones: boolean;
}

export interface NatsSettings {
  readonly servers: readonly string[];
}

export interface IndexSettings {
  readonly engine: IndexEngineKind;
  /** Cassandra only. */
  readonly cassandra?: {
    readonly contactPoints: readonly string[];
    readonly localDataCenter: string;
    readonly keyspace: string;
    /** Replicas per Cassandra data center (NetworkTopologyStrategy). */
    readonly replication: Readonly<Record<string, number>>;
  };
}

/** Province topologies list the cities they federate. */
export interface FederationMember {
  readonly id: string;
  readonly name: string;
  /** The member's platform id (its Moleculer namespace). */
  readonly platform: string;
  /** Base URL of the member's API, used for DICOMweb/REST federation. */
  readonly endpoint: string;
}

export interface Topology {
  readonly platform: Platform;
  readonly zones: readonly Zone[];
  readonly nodes: readonly NodeSpec[];
  readonly hospitals: readonly Hospital[];
  readonly replication: Replication;
  readonly placement: Placement;
  /** Absent in the embedded topology: one process, no transporter. */
  readonly nats?: NatsSettings;
  readonly index: IndexSettings;
  readonly federation: readonly FederationMember[];
}
