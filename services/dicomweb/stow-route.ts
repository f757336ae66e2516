// STOW-RS (PS3.18 10.5): POST /studies and /studies/{study}. The body streams part by part into the
// one ingest path, a few parts at a time (the next part is read while earlier ones are written); each
// part's result goes into the Store Instances Response, in the order of the parts. A framing fault stops
// the request with 400 (parts completed before it stay stored: they were whole and valid, and a retry
// of the whole request stores them again as duplicates).
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildStoreResponse, type StoreItem } from '../../lib/dicomweb/build-store-response.ts';
import { negotiate, parseAccept, parseMediaType } from '../../lib/dicomweb/media-type.ts';
import { MultipartError, parseMultipartRelated } from '../../lib/dicomweb/parse-multipart-related.ts';
import { rootUrl, sendDicomwebProblem, type DicomwebDeps, type StudyParams } from './dicomweb-context.ts';

const JSON_OFFERS = [{ essence: 'application/dicom+json' }, { essence: 'application/json' }];

function refuseBody(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const media = parseMediaType(request.headers['content-type']);
  const partType = media?.params.type?.toLowerCase();
  if (media?.essence !== 'multipart/related' || (partType !== undefined && partType !== 'application/dicom')) {
    return sendDicomwebProblem(request, reply, 'unsupportedMediaType', 'dicomweb.stow.mediaType');
  }
  return undefined;
}

/** Parts of one request stored at once: the next part is read while the earlier ones are written. */
const PARTS_IN_FLIGHT = 4;

/** Settles when the ingest path is done with a part's bytes: read to the end, or given up on. */
function bodyDone(body: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (body.readableEnded || body.destroyed) return resolve();
    body.once('end', resolve);
    body.once('close', resolve);
  });
}

async function storeParts(deps: DicomwebDeps, request: FastifyRequest, boundary: string, study: string | undefined): Promise<StoreItem[]> {
  const items: Promise<StoreItem>[] = [];
  const inFlight = new Set<Promise<StoreItem>>();
  try {
    for await (const part of parseMultipartRelated(request.body as Readable, boundary)) {
      const type = parseMediaType(part.headers['content-type'] ?? 'application/dicom');
      if (type?.essence !== 'application/dicom') {
        items.push(Promise.resolve({ kind: 'refused', outcome: 'cannotUnderstand', reason: 'part is not application/dicom' }));
        continue;
      }
      const item = deps.archive.ingest(part.body, {
        source: 'stow', origin: request.ip, ...(study !== undefined ? { expectedStudyInstanceUid: study } : {}),
      }).then((result): StoreItem => ({ kind: 'ingested', result }));
      items.push(item);
      inFlight.add(item);
      void item.finally(() => inFlight.delete(item)).catch(() => undefined);
      // The parser moves on to the next part only once this part's bytes are consumed.
      await Promise.race([bodyDone(part.body), item]);
      while (inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(inFlight);
    }
  } finally {
    // A framing fault ends the request only after the parts already taken are settled.
    await Promise.allSettled(items);
  }
  return Promise.all(items);
}

async function handleStow(deps: DicomwebDeps, request: FastifyRequest<{ Params: Partial<StudyParams> }>, reply: FastifyReply): Promise<FastifyReply> {
  const refused = refuseBody(request, reply);
  if (refused) return refused;
  const chosen = negotiate(parseAccept(request.headers.accept), JSON_OFFERS);
  if (!chosen) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.accept', 'application/dicom+json');
  const boundary = parseMediaType(request.headers['content-type'])?.params.boundary ?? '';
  let items: StoreItem[];
  try {
    items = await storeParts(deps, request, boundary, request.params.study);
  } catch (error) {
    if (error instanceof MultipartError) return sendDicomwebProblem(request, reply, 'unableToProcess', `dicomweb.multipart.${error.code}`);
    // A client that hangs up mid-body is a truncated request, not a fault of ours.
    if (request.raw.readableAborted) return sendDicomwebProblem(request, reply, 'unableToProcess', 'dicomweb.multipart.TRUNCATED');
    throw error;
  }
  if (items.length === 0) return sendDicomwebProblem(request, reply, 'unableToProcess', 'dicomweb.stow.empty');
  const response = buildStoreResponse(rootUrl(request), items, request.params.study);
  return reply.status(response.status).type(`${chosen.offer.essence}; charset=utf-8`).send(response.body);
}

export function registerStow(app: FastifyInstance, deps: DicomwebDeps): void {
  // The body reaches the handler as the raw stream: nothing buffers it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => { done(null, payload); });
  app.post<{ Params: Partial<StudyParams> }>('/studies', (request, reply) => handleStow(deps, request, reply));
  app.post<{ Params: StudyParams }>('/studies/:study', (request, reply) => handleStow(deps, request, reply));
}
