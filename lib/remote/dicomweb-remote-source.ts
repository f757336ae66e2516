// A pass-through source spoken to over DICOMweb (PS3.18): QIDO-RS `/studies?StudyInstanceUID=` asks
// whether the PACS has a study, WADO-RS `/studies/{uid}` with multipart/related; type="application/dicom"
// retrieves it. The response is parsed part by part as it arrives (lib/dicomweb/parse-multipart-related)
// and each part's body goes straight to `receive`, so a study never sits in memory. The answer must
// start within the timeout and no gap between two chunks may exceed it: a PACS that stops talking
// makes the request fail with RemoteUnavailableError rather than hang.
import { Readable } from 'node:stream';
import { parseMediaType } from '../dicomweb/media-type.ts';
import { MultipartError, parseMultipartRelated } from '../dicomweb/parse-multipart-related.ts';
import { RemoteUnavailableError, type ReceiveInstance, type RemoteSource, type RetrieveSummary } from './remote-source.ts';

export interface DicomwebRemoteOptions {
  readonly hospitalId: string;
  /** The DICOMweb root, without a trailing slash. */
  readonly url: string;
  readonly token?: string;
  /** Longest wait for an answer to start, and for the next chunk of one, in milliseconds. */
  readonly timeoutMs: number;
}

const STUDY_UID_TAG = '0020000D';

export function createDicomwebRemoteSource(options: DicomwebRemoteOptions): RemoteSource {
  const { hospitalId } = options;
  const headers = (accept: string): Record<string, string> => ({ accept, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) });

  async function get(path: string, accept: string, controller: AbortController): Promise<Response> {
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
    try {
      return await fetch(`${options.url}${path}`, { headers: headers(accept), signal: controller.signal });
    } catch (error) {
      throw unavailable(hospitalId, error);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    hospitalId,
    protocol: 'dicomweb',
    async hasStudy(studyInstanceUid) {
      const query = new URLSearchParams({ StudyInstanceUID: studyInstanceUid, includefield: STUDY_UID_TAG });
      const controller = new AbortController();
      const response = await get(`/studies?${query.toString()}`, 'application/dicom+json', controller);
      if (response.status === 204 || response.status === 404) return drained(response, false);
      if (response.status !== 200) throw new RemoteUnavailableError(hospitalId, `QIDO-RS answered HTTP ${response.status}`);
      const timer = setTimeout(() => controller.abort(new Error('QIDO-RS answer stalled')), options.timeoutMs);
      try {
        const matches: unknown = await response.json();
        return Array.isArray(matches) && matches.length > 0;
      } catch (error) {
        throw unavailable(hospitalId, error);
      } finally {
        clearTimeout(timer);
      }
    },
    async retrieveStudy(studyInstanceUid, receive) {
      const controller = new AbortController();
      const response = await get(`/studies/${encodeURIComponent(studyInstanceUid)}`, 'multipart/related; type="application/dicom"; transfer-syntax=*', controller);
      if (response.status === 204 || response.status === 404) return drained(response, { received: 0 });
      if (response.status !== 200 || response.body === null) throw new RemoteUnavailableError(hospitalId, `WADO-RS answered HTTP ${response.status}`);
      const type = parseMediaType(response.headers.get('content-type') ?? undefined);
      const boundary = type?.essence === 'multipart/related' ? type.params.boundary : undefined;
      if (boundary === undefined) {
        controller.abort();
        throw new RemoteUnavailableError(hospitalId, `WADO-RS answered ${type?.essence ?? 'no content type'}, not multipart/related`);
      }
      return receiveParts(hospitalId, watchIdle(Readable.fromWeb(response.body), controller, options.timeoutMs), boundary, receive);
    },
  };
}

async function receiveParts(hospitalId: string, body: Readable, boundary: string, receive: ReceiveInstance): Promise<RetrieveSummary> {
  let received = 0;
  try {
    for await (const part of parseMultipartRelated(body, boundary)) {
      const partType = parseMediaType(part.headers['content-type'])?.essence;
      // Anything else (a PACS adding a report as application/pdf, say) is skipped; the parser drains it.
      if (partType !== 'application/dicom') continue;
      received += 1;
      await receive(part.body, {});
    }
  } catch (error) {
    body.destroy();
    if (error instanceof MultipartError) throw new RemoteUnavailableError(hospitalId, `WADO-RS answer is malformed (${error.code})`);
    throw unavailable(hospitalId, error);
  }
  return { received };
}

/** The body, pulled on demand; aborts the request when the PACS takes longer than `timeoutMs` to deliver
 * a chunk that was asked for. Only waiting on the PACS counts: time spent by ingest (backpressure) does not. */
function watchIdle(body: Readable, controller: AbortController, timeoutMs: number): Readable {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return new Readable({
    read() {
      const timer = setTimeout(() => controller.abort(new Error(`WADO-RS answer stalled for ${timeoutMs / 1000} s`)), timeoutMs);
      chunks.next().then(
        (next) => { clearTimeout(timer); this.push(next.done === true ? null : next.value); },
        (error: unknown) => { clearTimeout(timer); this.destroy(error as Error); },
      );
    },
    destroy(error, callback) {
      if (!body.destroyed) body.destroy();
      callback(error);
    },
  });
}

async function drained<T>(response: Response, value: T): Promise<T> {
  await response.body?.cancel().catch(() => undefined);
  return value;
}

function unavailable(hospitalId: string, error: unknown): Error {
  if (error instanceof RemoteUnavailableError) return error;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new RemoteUnavailableError(hospitalId, reason);
}
