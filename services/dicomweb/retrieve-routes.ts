// WADO-RS retrieval of whole objects and of metadata (PS3.18 10.4). Objects leave as they were stored:
// multipart/related; type="application/dicom", one part per instance, streamed from the blob store.
// Transcoding is not offered: `transfer-syntax=*`, the stored syntax, or none (taken as "as stored") is
// served, any other syntax is 406. Metadata comes from the index (series: the pre-aggregated bundle, one
// read) with bulk data placeholders rewritten to bulkdata URIs.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InstanceRecord } from '../../lib/archive/catalog.ts';
import type { DicomJsonDataset } from '../../lib/dicom/dicom-json.ts';
import { negotiate, parseAccept, type AcceptRange } from '../../lib/dicomweb/media-type.ts';
import { serializeMetadata } from '../../lib/dicomweb/rewrite-bulk-data-uris.ts';
import type { OutgoingPart } from '../../lib/dicomweb/write-multipart-related.ts';
import {
  findInstance, openBlob, rootUrl, sendDicomwebProblem, sendMultipart, timeRetrieval,
  type DicomwebDeps, type InstanceParams, type SeriesParams, type StudyParams,
} from './dicomweb-context.ts';
import { Readable } from 'node:stream';

const DICOM_OFFERS = [{ essence: 'multipart/related', partType: 'application/dicom' }];
/** One instance may also leave as a single part (PS3.18 8.7.3.2). */
const SINGLE_OFFERS = [...DICOM_OFFERS, { essence: 'application/dicom' }];
const JSON_OFFERS = [{ essence: 'application/dicom+json' }, { essence: 'application/json' }];

/** The transfer syntax the client asked for, '*' when any will do. */
function requestedSyntax(range: AcceptRange): string {
  return range.params['transfer-syntax'] ?? '*';
}

async function sendInstances(deps: DicomwebDeps, request: FastifyRequest, reply: FastifyReply, records: readonly InstanceRecord[], notFound: 'dicomweb.notFound.study' | 'dicomweb.notFound.series' | 'dicomweb.notFound.instance'): Promise<FastifyReply> {
  const chosen = negotiate(parseAccept(request.headers.accept), notFound === 'dicomweb.notFound.instance' ? SINGLE_OFFERS : DICOM_OFFERS);
  if (!chosen) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.accept', 'multipart/related; type="application/dicom"');
  if (records.length === 0) return sendDicomwebProblem(request, reply, 'notFound', notFound);
  const wanted = requestedSyntax(chosen.range);
  const other = records.find((r) => wanted !== '*' && r.transferSyntaxUid !== wanted);
  if (other) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.transferSyntax', other.transferSyntaxUid);
  timeRetrieval(deps, reply, 'instance');
  const [only] = records;
  if (chosen.offer.essence === 'application/dicom' && only) {
    return reply.status(200).type(`application/dicom; transfer-syntax=${only.transferSyntaxUid}`).header('content-length', String(only.size))
      .send(Readable.from(await openBlob(deps, only.sha256, undefined, reply)));
  }
  const root = rootUrl(request);
  const parts: OutgoingPart[] = records.map((r) => ({
    contentType: `application/dicom; transfer-syntax=${r.transferSyntaxUid}`,
    headers: { 'Content-Location': `${root}/studies/${r.studyInstanceUid}/series/${r.seriesInstanceUid}/instances/${r.sopInstanceUid}` },
    open: async () => Readable.from(await openBlob(deps, r.sha256, undefined, reply)),
  }));
  return sendMultipart(reply, 'application/dicom', parts);
}

type MetadataMemo = WeakMap<readonly DicomJsonDataset[], Map<string, Buffer>>;

/** Serialized metadata, memoized per datasets array and root URL: the catalog hands out the same array
 * while a series is unchanged (its metadata cache is checked against the series version), so a warm
 * series /metadata is one small index read and a buffer write instead of re-serializing megabytes. */
function serializedMetadata(memo: MetadataMemo, root: string, datasets: readonly DicomJsonDataset[]): Buffer {
  let byRoot = memo.get(datasets);
  if (!byRoot) {
    byRoot = new Map();
    memo.set(datasets, byRoot);
  }
  let body = byRoot.get(root);
  if (!body) {
    body = Buffer.from(serializeMetadata(root, datasets), 'utf8');
    // A few root URLs per series at most (host names a client may use); more are served unmemoized.
    if (byRoot.size < 4) byRoot.set(root, body);
  }
  return body;
}

function sendMetadata(deps: DicomwebDeps, memo: MetadataMemo, request: FastifyRequest, reply: FastifyReply, datasets: readonly DicomJsonDataset[], notFound: 'dicomweb.notFound.study' | 'dicomweb.notFound.series'): FastifyReply {
  const chosen = negotiate(parseAccept(request.headers.accept), JSON_OFFERS);
  if (!chosen) return sendDicomwebProblem(request, reply, 'notAcceptable', 'dicomweb.accept', 'application/dicom+json');
  if (datasets.length === 0) return sendDicomwebProblem(request, reply, 'notFound', notFound);
  timeRetrieval(deps, reply, 'metadata');
  return reply.status(200).type(`${chosen.offer.essence}; charset=utf-8`).send(serializedMetadata(memo, rootUrl(request), datasets));
}

export function registerRetrieve(app: FastifyInstance, deps: DicomwebDeps): void {
  const catalog = deps.archive.catalog;
  const memo: MetadataMemo = new WeakMap();
  app.get<{ Params: StudyParams }>('/studies/:study', async (request, reply) =>
    sendInstances(deps, request, reply, await catalog.listInstances(request.params.study), 'dicomweb.notFound.study'));
  app.get<{ Params: SeriesParams }>('/studies/:study/series/:series', async (request, reply) =>
    sendInstances(deps, request, reply, await catalog.listInstances(request.params.study, request.params.series), 'dicomweb.notFound.series'));
  app.get<{ Params: InstanceParams }>('/studies/:study/series/:series/instances/:instance', async (request, reply) => {
    const record = await catalog.getInstance(request.params.instance);
    const match = record && record.studyInstanceUid === request.params.study && record.seriesInstanceUid === request.params.series;
    return sendInstances(deps, request, reply, match ? [record] : [], 'dicomweb.notFound.instance');
  });

  app.get<{ Params: StudyParams }>('/studies/:study/metadata', async (request, reply) => {
    const records = await catalog.listInstances(request.params.study);
    return sendMetadata(deps, memo, request, reply, records.map((r) => r.dataset), 'dicomweb.notFound.study');
  });
  app.get<{ Params: SeriesParams }>('/studies/:study/series/:series/metadata', async (request, reply) =>
    sendMetadata(deps, memo, request, reply, await catalog.seriesMetadata(request.params.study, request.params.series), 'dicomweb.notFound.series'));
  app.get<{ Params: InstanceParams }>('/studies/:study/series/:series/instances/:instance/metadata', async (request, reply) => {
    const { study, series, instance } = request.params;
    const record = await findInstance(deps, request, reply, study, series, instance);
    return record ? sendMetadata(deps, memo, request, reply, [record.dataset], 'dicomweb.notFound.series') : reply;
  });
}
