// Composes the pass-through (lib/remote/pass-through.ts) for a node that serves retrievals (api:
// DICOMweb, dimse: C-MOVE/C-GET) from the hospitals of the topology that have a `remote` block, in
// topology order. Undefined when there are none, so such nodes keep their retrieval paths unchanged.
// A source's answers must start within YY_EDGE_FETCH_TIMEOUT_SECONDS (the same limit an edge has), and
// the bearer token of a DICOMweb source is read from the environment variable the topology names.
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import type { NodeRuntime } from '../../lib/config/resolve-node.ts';
import { PassThrough, type PassThroughLog } from '../../lib/remote/pass-through.ts';
import { createDicomwebRemoteSource } from '../../lib/remote/dicomweb-remote-source.ts';
import type { RemoteSource } from '../../lib/remote/remote-source.ts';
import type { Hospital, RemoteSourceSpec } from '../../topology/topology-types.ts';

export const PASS_THROUGH_ROLES = ['api', 'dimse'] as const;
/** How long "no source has this study" is remembered. */
const NOT_FOUND_TTL_MS = 60_000;
const STUDY_INSTANCE_UID = '0020000D';
const DEFAULT_CALLING_AE = 'YUNYING';

export interface StartPassThroughInput {
  readonly runtime: NodeRuntime;
  readonly archive: Pick<NodeArchive, 'catalog' | 'ingest'>;
  readonly log: PassThroughLog;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The AE title the city calls a PACS with: the source's own setting, this node's, the first DIMSE node's. */
function callingAeTitle(runtime: NodeRuntime, spec: RemoteSourceSpec & { protocol: 'dimse' }): string {
  return spec.callingAeTitle ?? runtime.node.dicom?.aeTitle
    ?? runtime.topology.nodes.find((n) => n.roles.includes('dimse') && n.dicom)?.dicom?.aeTitle ?? DEFAULT_CALLING_AE;
}

async function createSource(input: StartPassThroughInput, hospital: Hospital, spec: RemoteSourceSpec): Promise<RemoteSource> {
  const timeoutMs = input.runtime.config.edgeFetchTimeoutSeconds * 1000;
  switch (spec.protocol) {
    case 'dicomweb': {
      const token = spec.tokenEnv === undefined ? undefined : (input.env ?? process.env)[spec.tokenEnv];
      if (spec.tokenEnv !== undefined && (token === undefined || token === '')) {
        input.log.warn({ event: 'remote.token.missing', hospitalId: hospital.id, env: spec.tokenEnv, detail: 'the environment variable is not set: requests go without a bearer token' });
      }
      return createDicomwebRemoteSource({ hospitalId: hospital.id, url: spec.url, timeoutMs, ...(token ? { token } : {}) });
    }
    case 'dimse': {
      // dcmjs-dimse loads its WebAssembly codecs at import: only nodes with a DIMSE source pay for that.
      const { createDimseRemoteSource } = await import('./dimse-remote-source.ts');
      return createDimseRemoteSource({ hospitalId: hospital.id, aeTitle: spec.aeTitle, host: spec.host, port: spec.port, callingAeTitle: callingAeTitle(input.runtime, spec), timeoutMs });
    }
  }
}

export async function startPassThrough(input: StartPassThroughInput): Promise<PassThrough | undefined> {
  const { runtime, archive } = input;
  if (!runtime.node.roles.some((role) => (PASS_THROUGH_ROLES as readonly string[]).includes(role))) return undefined;
  const sources: RemoteSource[] = [];
  for (const hospital of runtime.topology.hospitals) if (hospital.remote) sources.push(await createSource(input, hospital, hospital.remote));
  if (sources.length === 0) return undefined;
  input.log.info({ event: 'remote.sources', hospitals: sources.map((s) => `${s.hospitalId} (${s.protocol})`) });
  return new PassThrough({
    sources, log: input.log, notFoundTtlMs: NOT_FOUND_TTL_MS,
    ingest: (body, context) => archive.ingest(body, context),
    hasLocalStudy: async (studyInstanceUid) => {
      const result = await archive.catalog.search({
        level: 'study', root: 'study', matchers: [{ kind: 'Single', tag: STUDY_INSTANCE_UID, value: studyInstanceUid }],
        includeFields: [], fuzzyMatching: false, limit: 1, offset: 0,
      });
      return result.matches.length > 0;
    },
  });
}
