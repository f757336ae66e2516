// Rendered and thumbnail resources (PS3.18 10.4.1.1.3, 10.4.1.1.6) and WADO-URI (PS3.18 9). A frame is
// read by its recorded range, decoded (native or JPEG baseline), windowed and scaled by lib/render.
// Instance-level rendering of a multi-frame instance renders its first frame; series and study
// thumbnails render the first frame of their middle instance.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { InstanceRecord } from '../../lib/archive/catalog.ts';
import { negotiate, parseAccept } from '../../lib/dicomweb/media-type.ts';
import { canRender, RenderError } from '../../lib/render/decode-frame.ts';
import { readImagePixelModule } from '../../lib/render/image-pixel-module.ts';
import { parseRenderParams, renderFrame, type RenderMediaType, type RenderParams } from '../../lib/render/render-frame.ts';
import { findInstance, openBlob, rawQuery, readRanges, sendDicomwebProblem, timeRetrieval, type DicomwebDeps, type InstanceParams, type SeriesParams, type StudyParams } from './dicomweb-context.ts';

const IMAGE_OFFERS = [{ essence: 'image/jpeg' }, { essence: 'image/png' }];
const THUMBNAIL_SIZE = { width: 128, height: 128 };

export async function sendRendered(deps: DicomwebDeps, request: FastifyRequest, reply: FastifyReply, record: InstanceRecord, frame: number, params: RenderParams, mediaType: RenderMediaType): Promise<FastifyReply> {
  const module = readImagePixelModule(record.dataset);
  const ranges = record.frames[frame - 1];
  if (!module || record.frames.length === 0) return sendDicomwebProblem(request, reply, 'notFound', 'dicomweb.frames.none');
  if (!ranges) return sendDicomwebProblem(request, reply, 'notFound', 'dicomweb.frames.range', String(frame));
  if (!canRender(record.transferSyntaxUid)) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.render.unsupported', record.transferSyntaxUid);
  timeRetrieval(deps, reply, 'rendered');
  const bytes = await readRanges(deps, record.sha256, ranges, reply);
  try {
    return reply.status(200).type(mediaType).send(renderFrame(bytes, module, record.transferSyntaxUid, params, mediaType));
  } catch (error) {
    if (error instanceof RenderError) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.render.unsupported', error.message);
    throw error;
  }
}

async function render(deps: DicomwebDeps, request: FastifyRequest, reply: FastifyReply, record: InstanceRecord | undefined, frame: number, thumbnail: boolean): Promise<FastifyReply> {
  if (!record) return reply.sent ? reply : sendDicomwebProblem(request, reply, 'notFound', 'dicomweb.notFound.instance');
  const chosen = negotiate(parseAccept(request.headers.accept), IMAGE_OFFERS);
  if (!chosen) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.accept', 'image/jpeg, image/png');
  const params = parseRenderParams(new URLSearchParams(rawQuery(request)), thumbnail ? THUMBNAIL_SIZE : undefined);
  if ('parameter' in params) return sendDicomwebProblem(request, reply, 'invalidQuery', 'dicomweb.param.invalid', params.parameter);
  return sendRendered(deps, request, reply, record, frame, params, chosen.offer.essence as RenderMediaType);
}

/** The middle instance with pixel data of a study or series, for its thumbnail. */
async function representative(deps: DicomwebDeps, study: string, series?: string): Promise<InstanceRecord | undefined> {
  const images = (await deps.archive.catalog.listInstances(study, series)).filter((r) => r.frames.length > 0);
  return images[Math.floor(images.length / 2)];
}

/** The series thumbnail a hospital edge uploaded, for a request with default parameters that accepts
 * its type; undefined: render one from the pixels instead. */
async function sendStoredThumbnail(deps: DicomwebDeps, request: FastifyRequest<{ Params: SeriesParams }>, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (!deps.seriesThumbnail || rawQuery(request) !== '') return undefined;
  const stored = await deps.seriesThumbnail(request.params.study, request.params.series);
  if (!stored || negotiate(parseAccept(request.headers.accept), [{ essence: stored.mediaType }]) === undefined) return undefined;
  timeRetrieval(deps, reply, 'rendered');
  return reply.status(200).type(stored.mediaType).header('content-length', String(stored.size)).send(Readable.from(await openBlob(deps, stored.sha256, undefined, reply)));
}

function frameNumber(text: string): number | undefined {
  return /^[1-9]\d{0,8}$/.test(text) ? Number(text) : undefined;
}

export function registerRendered(app: FastifyInstance, deps: DicomwebDeps): void {
  const instanceRoute = '/studies/:study/series/:series/instances/:instance';
  const find = (request: FastifyRequest<{ Params: InstanceParams }>, reply: FastifyReply) =>
    findInstance(deps, request, reply, request.params.study, request.params.series, request.params.instance);
  for (const [suffix, thumbnail] of [['rendered', false], ['thumbnail', true]] as const) {
    app.get<{ Params: InstanceParams }>(`${instanceRoute}/${suffix}`, async (request, reply) => render(deps, request, reply, await find(request, reply), 1, thumbnail));
    app.get<{ Params: InstanceParams & { frame: string } }>(`${instanceRoute}/frames/:frame/${suffix}`, async (request, reply) => {
      const frame = frameNumber(request.params.frame);
      if (frame === undefined) return sendDicomwebProblem(request, reply, 'unableToProcess', 'dicomweb.frames.list');
      return render(deps, request, reply, await find(request, reply), frame, thumbnail);
    });
  }
  app.get<{ Params: SeriesParams }>('/studies/:study/series/:series/thumbnail', async (request, reply) =>
    (await sendStoredThumbnail(deps, request, reply)) ?? render(deps, request, reply, await representative(deps, request.params.study, request.params.series), 1, true));
  app.get<{ Params: StudyParams }>('/studies/:study/thumbnail', async (request, reply) =>
    render(deps, request, reply, await representative(deps, request.params.study), 1, true));
}
