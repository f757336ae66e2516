// WADO-URI (PS3.18 9, URI service): GET /wado?requestType=WADO&studyUID=&seriesUID=&objectUID= with
// contentType application/dicom (the stored object, unchanged) or image/jpeg (default) / image/png
// (rendered: frameNumber, rows, columns, windowCenter, windowWidth). Legacy viewers and HIS links use it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { parseRenderParams } from '../../lib/render/render-frame.ts';
import { isUid } from '../../lib/dicom/dictionary.ts';
import { openBlob, rawQuery, sendDicomwebProblem, timeRetrieval, type DicomwebDeps } from './dicomweb-context.ts';
import { sendRendered } from './render-routes.ts';

/** WADO-URI rendering parameters in the vocabulary of lib/render (rows/columns are a viewport). */
function renderQuery(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  const rows = q.get('rows');
  const columns = q.get('columns');
  if (rows !== null || columns !== null) out.set('viewport', `${columns ?? rows ?? ''},${rows ?? columns ?? ''}`);
  const center = q.get('windowCenter');
  const width = q.get('windowWidth');
  if (center !== null || width !== null) out.set('window', `${center ?? ''},${width ?? ''}`);
  const quality = q.get('imageQuality');
  if (quality !== null) out.set('quality', quality);
  return out;
}

async function handleWado(deps: DicomwebDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const q = new URLSearchParams(rawQuery(request));
  const [study, series, object] = [q.get('studyUID') ?? '', q.get('seriesUID') ?? '', q.get('objectUID') ?? ''];
  if (q.get('requestType') !== 'WADO' || ![study, series, object].every(isUid)) return sendDicomwebProblem(request, reply, 'unableToProcess', 'dicomweb.wado.requestType');
  const record = await deps.archive.catalog.getInstance(object);
  if (!record || record.studyInstanceUid !== study || record.seriesInstanceUid !== series) return sendDicomwebProblem(request, reply, 'notFound', 'dicomweb.notFound.instance');
  // contentType may list several types, most preferred first.
  const types = (q.get('contentType') ?? 'image/jpeg').split(',').map((t) => t.trim().split(';')[0]?.toLowerCase() ?? '');
  const type = types.find((t) => t === 'application/dicom' || t === 'image/jpeg' || t === 'image/png' || t === '*/*');
  if (!type) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.accept', 'application/dicom, image/jpeg, image/png');
  if (type === 'application/dicom') {
    const syntax = q.get('transferSyntax');
    if (syntax !== null && syntax !== '*' && syntax !== record.transferSyntaxUid) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.transferSyntax', record.transferSyntaxUid);
    timeRetrieval(deps, reply, 'instance');
    return reply.status(200).type('application/dicom').header('content-length', String(record.size)).send(Readable.from(await openBlob(deps, record.sha256, undefined, reply)));
  }
  const frame = Number(q.get('frameNumber') ?? '1');
  if (!Number.isInteger(frame) || frame < 1) return sendDicomwebProblem(request, reply, 'invalidQuery', 'dicomweb.param.invalid', 'frameNumber');
  const params = parseRenderParams(renderQuery(q));
  if ('parameter' in params) return sendDicomwebProblem(request, reply, 'invalidQuery', 'dicomweb.param.invalid', params.parameter);
  return sendRendered(deps, request, reply, record, frame, params, type === '*/*' ? 'image/jpeg' : type);
}

export function registerWadoUri(app: FastifyInstance, deps: DicomwebDeps): void {
  app.get('/wado', (request, reply) => handleWado(deps, request, reply));
}
