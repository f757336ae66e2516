// Starts the DIMSE SCP of a node with the `dimse` role: its AE title and port from the topology
// (YY_DICOM_PORT overrides), the calling-AE policy from YY_DICOM_ALLOWED_AES, C-MOVE peers from
// YY_DICOM_PEERS.
import type { Registry } from 'prom-client';
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import type { NodeRuntime } from '../../lib/config/resolve-node.ts';
import { ConfigError } from '../../lib/config/load-config.ts';
import { parseAllowedAes, type AePolicy } from '../../lib/dimse/ae-policy.ts';
import { createDimseMetrics } from '../../monitoring/dimse-metrics.ts';
import type { StudyEnsurer } from '../../lib/remote/ensure-retrieve-studies.ts';
import type { DimseLog } from './dimse-deps.ts';
import { startDimseServer, type DimseServer } from './dimse-server.ts';

export interface StartDimseInput {
  readonly runtime: NodeRuntime;
  readonly archive: NodeArchive;
  readonly registry: Registry;
  readonly log: DimseLog;
  /** Hospitals without an edge, asked for studies the city lacks (services/remote/). */
  readonly passThrough?: StudyEnsurer;
}

export function dimsePolicy(runtime: NodeRuntime, aeTitle: string): AePolicy {
  const items = runtime.config.dicomAllowedAes;
  if (items === undefined) return { ownAeTitle: aeTitle };
  try {
    return { ownAeTitle: aeTitle, allowed: parseAllowedAes(items) };
  } catch (error) {
    throw new ConfigError([`YY_DICOM_ALLOWED_AES: ${(error as Error).message}`]);
  }
}

/** Undefined when the node has no `dimse` role (or no DICOM block). */
export async function startDimse(input: StartDimseInput): Promise<DimseServer | undefined> {
  const { runtime } = input;
  const dicom = runtime.node.dicom;
  if (!runtime.node.roles.includes('dimse') || dicom === undefined) return undefined;
  const server = await startDimseServer(dicom.port, {
    aeTitle: dicom.aeTitle, policy: dimsePolicy(runtime, dicom.aeTitle), peers: runtime.config.dicomPeers,
    archive: input.archive, metrics: createDimseMetrics(input.registry), log: input.log,
    timeoutSeconds: Math.max(3, runtime.config.requestTimeoutSeconds),
    ...(input.passThrough ? { passThrough: input.passThrough } : {}),
  });
  input.log.info({ event: 'dimse.listening', port: server.port, aeTitle: dicom.aeTitle, allowedAes: runtime.config.dicomAllowedAes?.length ?? 'loopback' });
  return server;
}
