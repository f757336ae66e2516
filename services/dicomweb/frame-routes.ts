// WADO-RS frames and bulk data (PS3.18 10.4.1.1.4, 10.4.1.1.5). Frames are range reads of the stored
// object by the frame ranges ingest recorded (a compressed frame: its fragments in order), each in its
// own media type: application/octet-stream for native pixel data, image/jpeg, image/jls, image/jp2,
// image/x-dicom-rle ... for compressed ones, as stored. Bulk data is served only for the ranges the
// instance's metadata names (lib/dicomweb/rewrite-bulk-data-uris.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { InstanceRecord } from '../../lib/archive/catalog.ts';
import { canonicalMediaType, frameMediaType, parseFrameList } from '../../lib/dicomweb/frame-media-type.ts';
import { parseAccept, rangeCovers, type AcceptRange } from '../../lib/dicomweb/media-type.ts';
import { findBulkData } from '../../lib/dicomweb/rewrite-bulk-data-uris.ts';
import type { OutgoingPart } from '../../lib/dicomweb/write-multipart-related.ts';
import { findInstance, openBlob, readRanges, sendDicomwebProblem, sendMultipart, timeRetrieval, type DicomwebDeps, type FrameParams, type InstanceParams } from './dicomweb-context.ts';

/** How the frames go out: multipart (the norm) or a single part for one frame asked as such. */
type FrameAnswer = { readonly multipart: boolean; readonly partType: string };

/** The media type frames are stored in must be acceptable: as themselves, or as octet-stream with
 * `transfer-syntax=*` (what OHIF asks for; each part then names its real type and syntax). */
export function chooseFrameAnswer(accept: readonly AcceptRange[], record: InstanceRecord, frameCount: number): FrameAnswer | undefined {
  const stored = frameMediaType(record.transferSyntaxUid);
  for (const range of accept) {
    const syntax = range.params['transfer-syntax'];
    if (syntax !== undefined && syntax !== '*' && syntax !== record.transferSyntaxUid) continue;
    if (range.essence === 'multipart/related' || range.essence === '*/*') {
      const type = canonicalMediaType(range.params.type?.toLowerCase() ?? stored);
      const anySyntax = syntax === '*' && type === 'application/octet-stream';
      if (rangeCovers({ essence: type, params: {} }, stored) || anySyntax) return { multipart: true, partType: stored };
      continue;
    }
    if (frameCount === 1 && rangeCovers({ essence: canonicalMediaType(range.essence), params: {} }, stored)) return { multipart: false, partType: stored };
  }
  return undefined;
}

function partContentType(record: InstanceRecord, type: string): string {
  return `${type}; transfer-syntax=${record.transferSyntaxUid}`;
}

async function sendFrames(deps: DicomwebDeps, request: FastifyRequest<{ Params: FrameParams }>, reply: FastifyReply): Promise<FastifyReply> {
  const { study, series, instance, frames } = request.params;
  const numbers = parseFrameList(frames);
  if (!numbers) return sendDicomwebProblem(request, reply, 'unableToProcess', 'dicomweb.frames.list');
  const record = await findInstance(deps, request, reply, study, series, instance);
  if (!record) return reply;
  if (record.frames.length === 0) return sendDicomwebProblem(request, reply, 'notFound', 'dicomweb.frames.none');
  const missing = numbers.find((n) => n > record.frames.length);
  if (missing !== undefined) return sendDicomwebProblem(request, reply, 'notFound', 'dicomweb.frames.range', String(missing));
  const answer = chooseFrameAnswer(parseAccept(request.headers.accept), record, numbers.length);
  if (!answer) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.transferSyntax', record.transferSyntaxUid);
  timeRetrieval(deps, reply, 'frame');
  const rangesOf = (n: number) => record.frames[n - 1] ?? [];
  if (!answer.multipart) {
    const bytes = await readRanges(deps, record.sha256, rangesOf(numbers[0] ?? 1), reply);
    return reply.status(200).type(partContentType(record, answer.partType)).send(bytes);
  }
  const parts: OutgoingPart[] = numbers.map((n) => ({
    contentType: partContentType(record, answer.partType),
    open: async () => (rangesOf(n).length === 1 ? Readable.from(await openBlob(deps, record.sha256, rangesOf(n)[0], reply)) : readRanges(deps, record.sha256, rangesOf(n), reply)),
  }));
  return sendMultipart(reply, answer.partType, parts);
}

async function sendBulkData(deps: DicomwebDeps, request: FastifyRequest<{ Params: InstanceParams & { tag: string; offset?: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const { study, series, instance, tag, offset } = request.params;
  const record = await findInstance(deps, request, reply, study, series, instance);
  if (!record) return reply;
  const at = offset === undefined ? undefined : Number(offset);
  const range = /^[0-9A-Fa-f]{8}$/.test(tag) && (at === undefined || Number.isSafeInteger(at)) ? findBulkData(record.dataset, tag, at) : undefined;
  if (!range) return sendDicomwebProblem(request, reply, 'notFound', 'dicomweb.notFound.bulkdata');
  const acceptable = parseAccept(request.headers.accept).some((r) => rangeCovers(r, 'multipart/related') && rangeCovers({ essence: r.params.type ?? 'application/octet-stream', params: {} }, 'application/octet-stream'));
  if (!acceptable) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.accept', 'multipart/related; type="application/octet-stream"');
  timeRetrieval(deps, reply, 'bulkdata');
  const part: OutgoingPart = { contentType: 'application/octet-stream', open: async () => Readable.from(await openBlob(deps, record.sha256, range, reply)) };
  return sendMultipart(reply, 'application/octet-stream', [part]);
}

export function registerFrames(app: FastifyInstance, deps: DicomwebDeps): void {
  app.get<{ Params: FrameParams }>('/studies/:study/series/:series/instances/:instance/frames/:frames', (request, reply) => sendFrames(deps, request, reply));
  app.get<{ Params: InstanceParams & { tag: string } }>('/studies/:study/series/:series/instances/:instance/bulkdata/:tag', (request, reply) => sendBulkData(deps, request, reply));
  app.get<{ Params: InstanceParams & { tag: string; offset: string } }>('/studies/:study/series/:series/instances/:instance/bulkdata/:tag/:offset', (request, reply) => sendBulkData(deps, request, reply));
}
