// A pass-through source spoken to over DIMSE: C-FIND at STUDY level (study root) asks whether the PACS
// has a study and which SOP classes it holds; C-GET retrieves it on the same kind of association, the
// PACS sending each instance back as a C-STORE sub-operation that goes straight into ingest
// (c-get-receiver.ts). C-GET rather than C-MOVE: the PACS needs no route back to the city, only to
// accept our calling AE title. Every association has the timeout as its connect, association and PDU
// limits, and an idle guard of its own: a PACS that goes silent fails the retrieval, never hangs it.
import dimse from 'dcmjs-dimse';
import { skipEmptyNameMap } from '../../adapters/dcmjs-dimse/skip-empty-name-map.ts';
import type * as Dimse from 'dcmjs-dimse';
import { DIMSE_PENDING, DIMSE_SUCCESS, statusClass } from '../../lib/dimse/dimse-status.ts';
import { STORAGE_TRANSFER_SYNTAXES } from '../../lib/dimse/storage-sop-classes.ts';
import { RemoteUnavailableError, type RemoteSource } from '../../lib/remote/remote-source.ts';
import { attachCGetReceiver } from './c-get-receiver.ts';

const { Client } = dimse;
skipEmptyNameMap();
const { CFindRequest, CGetRequest } = dimse.requests;
const { PresentationContext } = dimse.association;

export interface DimseRemoteOptions {
  readonly hospitalId: string;
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
  readonly callingAeTitle: string;
  /** Connect, association, PDU and idle limit, in milliseconds. */
  readonly timeoutMs: number;
}

/** PS3.8: at most 128 presentation contexts (odd ids 1..255); C-GET already proposes one per storage
 * SOP class dcmjs-dimse knows (59) with the SCP role, in the uncompressed syntaxes. */
const MAX_EXTRA_CONTEXTS = 64;
const IMPLICIT_LE = '1.2.840.10008.1.2';
/** When the PACS does not say which SOP classes a study holds: the common image classes. */
const COMMON_SOP_CLASSES = [
  '1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.4', '1.2.840.10008.5.1.4.1.1.1', '1.2.840.10008.5.1.4.1.1.1.1',
  '1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.5.1.4.1.1.1.2', '1.2.840.10008.5.1.4.1.1.12.1',
];

/**
 * Extra contexts, one per (SOP class, syntax), so an object stored compressed (or explicit) can come back
 * as it is: a PACS that does not transcode needs a context in exactly its stored syntax.
 */
export function extraContexts(sopClasses: readonly string[]): Array<{ sopClassUid: string; transferSyntaxUid: string }> {
  const syntaxes = Object.keys(STORAGE_TRANSFER_SYNTAXES).filter((uid) => uid !== IMPLICIT_LE);
  const out: Array<{ sopClassUid: string; transferSyntaxUid: string }> = [];
  for (const sopClassUid of sopClasses) {
    for (const transferSyntaxUid of syntaxes) {
      if (out.length < MAX_EXTRA_CONTEXTS) out.push({ sopClassUid, transferSyntaxUid });
    }
  }
  return out;
}

function elementValues(dataset: Dimse.Dataset | undefined, keyword: string): string[] {
  const value: unknown = dataset?.getElement(keyword);
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((v) => (typeof v === 'string' ? v.split('\\') : [])).map((v) => v.trim()).filter((v) => v !== '');
}

export function createDimseRemoteSource(options: DimseRemoteOptions): RemoteSource {
  const { hospitalId } = options;
  /** SOP classes a C-FIND reported, for the C-GET that follows it. */
  const classesOf = new Map<string, readonly string[]>();

  /** Runs the client's association to its end; rejects when it cannot be made or goes idle. */
  function run(client: Dimse.Client, attach?: (activity: () => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const settle = (error?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (error) reject(error); else resolve();
      };
      const activity = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          client.abort();
          settle(new RemoteUnavailableError(hospitalId, `no DIMSE answer within ${options.timeoutMs / 1000} s`));
        }, options.timeoutMs);
      };
      client.on('associationRejected', () => settle(new RemoteUnavailableError(hospitalId, `association rejected by ${options.aeTitle}`)));
      client.on('networkError', (error: Error & { code?: string }) => settle(new RemoteUnavailableError(hospitalId, error.code ?? error.message)));
      client.on('closed', () => settle());
      client.on('associationAccepted', activity);
      activity();
      const limits = { connectTimeout: options.timeoutMs, associationTimeout: options.timeoutMs, pduTimeout: options.timeoutMs };
      client.send(options.host, options.port, options.callingAeTitle, options.aeTitle, limits);
      attach?.(activity);
    });
  }

  return {
    hospitalId,
    protocol: 'dimse',
    async hasStudy(studyInstanceUid) {
      const client = new Client();
      const request = CFindRequest.createStudyFindRequest({ StudyInstanceUID: studyInstanceUid, SOPClassesInStudy: '' });
      const matches: Dimse.Dataset[] = [];
      let final: number | undefined;
      request.on('response', (response: Dimse.responses.CFindResponse) => {
        const status = response.getStatus();
        if (status === DIMSE_PENDING || status === 0xff01) {
          const dataset = response.getDataset();
          if (dataset) matches.push(dataset);
        } else final = status;
      });
      client.addRequest(request);
      await run(client);
      if (final === undefined) throw new RemoteUnavailableError(hospitalId, 'the association ended before the C-FIND completed');
      if (statusClass(final) === 'failure') throw new RemoteUnavailableError(hospitalId, `C-FIND failed with status ${final.toString(16).padStart(4, '0')}`);
      const found = matches.some((m) => elementValues(m, 'StudyInstanceUID').includes(studyInstanceUid));
      if (found) classesOf.set(studyInstanceUid, matches.flatMap((m) => elementValues(m, 'SOPClassesInStudy')));
      return found;
    },
    async retrieveStudy(studyInstanceUid, receive) {
      const client = new Client();
      const request = CGetRequest.createStudyGetRequest(studyInstanceUid);
      let final: { status: number; failures: number } | undefined;
      request.on('response', (response: Dimse.responses.CGetResponse) => {
        const status = response.getStatus();
        if (status !== DIMSE_PENDING) final = { status, failures: response.getFailures() ?? 0 };
      });
      client.addRequest(request);
      const known = classesOf.get(studyInstanceUid);
      classesOf.delete(studyInstanceUid);
      for (const context of extraContexts(known && known.length > 0 ? known : COMMON_SOP_CLASSES)) {
        client.addAdditionalPresentationContext(new PresentationContext(0, context.sopClassUid, context.transferSyntaxUid), true);
      }
      let receiver: ReturnType<typeof attachCGetReceiver> | undefined;
      await run(client, (activity) => { receiver = attachCGetReceiver(client, receive, { sourceAeTitle: options.aeTitle, onActivity: activity }); });
      await receiver?.settled();
      const received = receiver?.received() ?? 0;
      if (final === undefined) throw new RemoteUnavailableError(hospitalId, 'the association ended before the C-GET completed');
      if (received === 0 && final.status !== DIMSE_SUCCESS) throw new RemoteUnavailableError(hospitalId, `C-GET failed with status ${final.status.toString(16).padStart(4, '0')}`);
      return { received };
    },
  };
}
