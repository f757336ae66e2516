// The port of a pass-through source: a hospital PACS without an edge node, asked over DICOMweb or DIMSE.
// Two questions only: does it have a study, and hand over the study's instances one at a time. The
// adapters (lib/remote/dicomweb-remote-source.ts, services/remote/dimse-remote-source.ts) never hold a
// whole study: each instance's bytes go on to the ingest path as they arrive.
import type { Readable } from 'node:stream';
import type { IngestResult } from '../ingest/ingest-types.ts';

export type RemoteProtocol = 'dicomweb' | 'dimse';

/** What a DIMSE source announces with each instance (its data set has no Part 10 header of its own). */
export interface ReceivedFacts {
  readonly transferSyntaxUid?: string;
  readonly sopClassUid?: string;
  readonly sopInstanceUid?: string;
}

/** Takes one instance's bytes (a Part 10 stream) into the city; resolves when ingest has decided. */
export type ReceiveInstance = (body: Readable, facts: ReceivedFacts) => Promise<IngestResult>;

export interface RetrieveSummary {
  /** Instances the source sent. */
  readonly received: number;
}

export interface RemoteSource {
  readonly hospitalId: string;
  readonly protocol: RemoteProtocol;
  /** Throws RemoteUnavailableError when the source cannot be asked (down, refusing, too slow). */
  hasStudy(studyInstanceUid: string): Promise<boolean>;
  /** Sends every instance of the study through `receive`, one after another. Throws
   * RemoteUnavailableError when the transfer cannot start or stalls; what arrived before stays. */
  retrieveStudy(studyInstanceUid: string, receive: ReceiveInstance): Promise<RetrieveSummary>;
}

/** The source could not answer: the caller answers 503 / C-MOVE failure, never hangs. The reason is
 * technical (status code, timeout), never patient data. */
export class RemoteUnavailableError extends Error {
  readonly hospitalId: string;
  constructor(hospitalId: string, reason: string) {
    super(`remote source ${hospitalId}: ${reason}`);
    this.name = 'RemoteUnavailableError';
    this.hospitalId = hospitalId;
  }
}
