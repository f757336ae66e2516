// QIDO-RS (PS3.18 10.6): the six search resources of the standard, study root. Results are DICOM JSON;
// X-Total-Count carries the number of matches before limit/offset, and Warning headers (PS3.18
// 8.3.4.3, 299 warn-code) say when more results can be requested or a parameter was adjusted.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MessageKey } from '../../lib/i18n/messages.ts';
import { parseQido, type QidoProblem, type QidoResource } from '../../lib/dicom-query/parse-qido.ts';
import { negotiate, parseAccept } from '../../lib/dicomweb/media-type.ts';
import { serializeMetadata } from '../../lib/dicomweb/rewrite-bulk-data-uris.ts';
import { rawQuery, rootUrl, sendDicomwebProblem, type DicomwebDeps, type SeriesParams, type StudyParams } from './dicomweb-context.ts';

/** Results per page without a limit, and the most a page may hold. */
const QIDO_LIMITS = { defaultLimit: 1000, maxLimit: 10_000 };
const JSON_OFFERS = [{ essence: 'application/dicom+json' }, { essence: 'application/json' }];

const PROBLEM_REASONS: Readonly<Record<QidoProblem, MessageKey>> = {
  unknown: 'dicomweb.param.unknown', repeated: 'dicomweb.param.repeated', badUid: 'dicomweb.param.badUid',
  badRange: 'dicomweb.param.badRange', badDate: 'dicomweb.param.badDate', badNumber: 'dicomweb.param.badNumber',
  badBoolean: 'dicomweb.param.badBoolean', badIncludeField: 'dicomweb.param.badIncludeField',
  wildcardNotAllowed: 'dicomweb.param.wildcardNotAllowed', nested: 'dicomweb.param.nested', tooLong: 'dicomweb.param.tooLong',
};

/** A Warning header value (RFC 7234 5.5 as PS3.18 uses it); quotes and non-ASCII cannot appear. */
function warning(host: string, text: string): string {
  return `299 ${host} "${text.replace(/["\\]/g, '').replace(/[^\x20-\x7e]/g, '?')}"`;
}

async function search(deps: DicomwebDeps, request: FastifyRequest, reply: FastifyReply, resource: QidoResource): Promise<FastifyReply> {
  const chosen = negotiate(parseAccept(request.headers.accept), JSON_OFFERS);
  if (!chosen) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.accept', 'application/dicom+json');
  const parsed = parseQido(resource, rawQuery(request), QIDO_LIMITS);
  if (!parsed.ok) return sendDicomwebProblem(request, reply, 'invalidQuery', PROBLEM_REASONS[parsed.problem], parsed.parameter);
  const result = await deps.archive.catalog.search(parsed.query);
  const warnings = [...parsed.warnings, ...result.warnings];
  if (result.total > parsed.query.offset + result.matches.length) warnings.push('There are additional results that can be requested');
  const host = request.host.replace(/[^\x21-\x7e]/g, '');
  if (warnings.length > 0) void reply.header('warning', warnings.map((w) => warning(host, w)));
  return reply.status(200).type(`${chosen.offer.essence}; charset=utf-8`).header('x-total-count', String(result.total))
    .send(serializeMetadata(rootUrl(request), result.matches));
}

export function registerQido(app: FastifyInstance, deps: DicomwebDeps): void {
  app.get('/studies', (request, reply) => search(deps, request, reply, { level: 'study' }));
  app.get('/series', (request, reply) => search(deps, request, reply, { level: 'series' }));
  app.get('/instances', (request, reply) => search(deps, request, reply, { level: 'instance' }));
  app.get<{ Params: StudyParams }>('/studies/:study/series', (request, reply) => search(deps, request, reply, { level: 'series', study: request.params.study }));
  app.get<{ Params: StudyParams }>('/studies/:study/instances', (request, reply) => search(deps, request, reply, { level: 'instance', study: request.params.study }));
  app.get<{ Params: SeriesParams }>('/studies/:study/series/:series/instances', (request, reply) => search(deps, request, reply, { level: 'instance', study: request.params.study, series: request.params.series }));
}
