// What the DIMSE SCP needs from its node, handed to every association (dcmjs-dimse creates one Scp
// per connection and passes the listen options' customOptions to it).
import type { AePolicy } from '../../lib/dimse/ae-policy.ts';
import type { DicomPeer } from '../../lib/config/load-config.ts';
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import type { DimseMetrics } from '../../monitoring/dimse-metrics.ts';
import type { StudyEnsurer } from '../../lib/remote/ensure-retrieve-studies.ts';

export type DimseArchive = Pick<NodeArchive, 'catalog' | 'blobs' | 'ingest'>;

/** The Moleculer logger's shape (structured: the first argument is an object). */
export interface DimseLog {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface DimseDeps {
  readonly aeTitle: string;
  readonly policy: AePolicy;
  readonly peers: readonly DicomPeer[];
  readonly archive: DimseArchive;
  readonly metrics: DimseMetrics;
  readonly log: DimseLog;
  /** Network timeouts (association, PDU, C-MOVE peer), in seconds. */
  readonly timeoutSeconds: number;
  /** Fetches a study the city lacks from a hospital without an edge before C-MOVE/C-GET resolve it. */
  readonly passThrough?: StudyEnsurer;
}

export const DEPS_OPTION = 'yunying';
