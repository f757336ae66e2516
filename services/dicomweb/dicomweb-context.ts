// What every DICOMweb route shares: its dependencies, the error reply (through the one outcome mapping
// of lib/dicomweb/dicomweb-problem.ts), the root URL responses point to, and retrieval metrics.
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Catalog, InstanceRecord } from '../../lib/archive/catalog.ts';
import type { BlobStore, BlobStoreError, ByteRange } from '../../lib/blob-store/blob-store.ts';
import { createBoundary, multipartContentType, writeMultipartRelated, type OutgoingPart } from '../../lib/dicomweb/write-multipart-related.ts';
import type { StoredThumbnail } from '../../lib/retrieval/series-thumbnails.ts';
import type { StudyEnsurer } from '../../lib/remote/ensure-retrieve-studies.ts';
import { farthestSource, sourceOf, type RetrievalSource } from '../../lib/retrieval/retrieval-source.ts';
import type { IngestContext, IngestResult } from '../../lib/ingest/ingest-types.ts';
import { pickLanguage, type MessageKey } from '../../lib/i18n/messages.ts';
import type { OutcomeCode } from '../../lib/outcome/outcome.ts';
import { dicomwebProblem } from '../../lib/dicomweb/dicomweb-problem.ts';
import type { RetrievalKind, RetrievalMetrics } from '../../monitoring/retrieval-metrics.ts';

/** The archive as the node composes it (RunningNode.archive). */
export interface DicomwebArchive {
  readonly catalog: Catalog;
  readonly blobs: BlobStore;
  ingest(body: Readable, context: IngestContext): Promise<IngestResult>;
}

export interface DicomwebOptions {
  /** `*` or a comma-separated list of origins; undefined: no CORS headers. */
  readonly corsOrigins?: string;
  readonly crossOriginIsolation: boolean;
  /** Retry-After of a 503 when an image source (a hospital edge) cannot be reached, in seconds. */
  readonly retryAfterSeconds?: number;
}

export interface DicomwebDeps {
  readonly archive: DicomwebArchive;
  readonly adminToken: string;
  readonly retrievalMetrics: RetrievalMetrics;
  readonly options: DicomwebOptions;
  readonly log: { warn(...args: unknown[]): void; error(...args: unknown[]): void };
  readonly countError: () => void;
  /** The thumbnail a hospital edge uploaded for a series, if any (lib/retrieval/series-thumbnails.ts). */
  readonly seriesThumbnail?: (studyInstanceUid: string, seriesInstanceUid: string) => Promise<StoredThumbnail | undefined>;
  /** Fetches a study the city lacks from a hospital without an edge (lib/remote/pass-through.ts). */
  readonly passThrough?: StudyEnsurer;
}

export const PREFIX = '/dicom-web';

/** Response header naming the source that served a retrieval: cache, city, edge or remote. */
export const SOURCE_HEADER = 'x-yunying-source';

export function sendDicomwebProblem(request: FastifyRequest, reply: FastifyReply, outcome: OutcomeCode, reason: MessageKey, name?: string): FastifyReply {
  const problem = dicomwebProblem(outcome, reason, pickLanguage(request.headers['accept-language']), name);
  return reply.status(problem.status).type(problem.contentType).header('content-language', problem.contentLanguage).send(problem.body);
}

/** Absolute URL of the DICOMweb root as the client reached it. */
export function rootUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${PREFIX}`;
}

/** The raw query string (after `?`), undecoded. */
export function rawQuery(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
}

/** The source that served (so far) the answer of each reply: the farthest of its parts. */
const answeredFrom = new WeakMap<FastifyReply, RetrievalSource>();

/** Marks a reply as a retrieval of `kind`: its duration is observed, labelled with the source that
 * served it (lib/retrieval/retrieval-source.ts), when the response has been sent. */
export function timeRetrieval(deps: DicomwebDeps, reply: FastifyReply, kind: RetrievalKind): void {
  // From the request's arrival (reply.elapsedTime), so a study fetched by pass-through before the handler counts.
  reply.raw.once('finish', () => {
    // A source that could not be reached (503) served nothing: not a retrieval of any source.
    if (reply.statusCode >= 500) return;
    deps.retrievalMetrics.duration.observe({ source: answeredFrom.get(reply) ?? 'city', kind }, reply.elapsedTime / 1000);
  });
}

/** Notes where the bytes of a reply come from; the first source also goes out as X-Yunying-Source
 * while the headers are not sent yet (single-resource answers carry exactly their source). */
export function noteSource(reply: FastifyReply, source: RetrievalSource): void {
  const before = answeredFrom.get(reply);
  answeredFrom.set(reply, before ? farthestSource(before, source) : source);
  if (before === undefined && !reply.sent && !reply.raw.headersSent) void reply.header(SOURCE_HEADER, source);
}

/** Counts the bytes of a blob stream as they leave, without changing its flow. */
async function* countBytes(deps: DicomwebDeps, stream: Readable, source: RetrievalSource): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    const bytes = chunk as Uint8Array;
    deps.retrievalMetrics.bytes.inc({ source }, bytes.length);
    yield bytes;
  }
}

/** A blob's bytes from wherever the archive's store (the retrieval router) finds them; `reply` is
 * labelled with their source. Rejects with BlobStoreError (UNAVAILABLE: the error handler's 503). */
export async function openBlob(deps: DicomwebDeps, sha256: string, range?: ByteRange, reply?: FastifyReply): Promise<AsyncIterable<Uint8Array>> {
  const stream = await deps.archive.blobs.open(sha256, range);
  const source = sourceOf(stream);
  if (reply) noteSource(reply, source);
  return countBytes(deps, stream, source);
}

/** The bytes of byte ranges of a blob, in order (a frame's fragments), read into one buffer. Frames are
 * bounded by the image size, which the header reader checked at ingest. */
export async function readRanges(deps: DicomwebDeps, sha256: string, ranges: readonly ByteRange[], reply?: FastifyReply): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for (const range of ranges) {
    for await (const chunk of await openBlob(deps, sha256, range, reply)) chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Sends a multipart/related answer with its first part already open: a first part that cannot be read
 * (an edge unreachable) still becomes an error status, not a 200 with a truncated body. Later parts
 * that fail truncate the body (writeMultipartRelated). */
export async function sendMultipart(reply: FastifyReply, partType: string, parts: readonly OutgoingPart[]): Promise<FastifyReply> {
  const [first, ...rest] = parts;
  const boundary = createBoundary();
  const type = multipartContentType(boundary, partType);
  if (!first) return reply.status(200).type(type).send(writeMultipartRelated(boundary, []));
  const body = await first.open();
  return reply.status(200).type(type).send(writeMultipartRelated(boundary, [{ ...first, open: () => Promise.resolve(body) }, ...rest]));
}

/** An unreachable source (BlobStoreError UNAVAILABLE) as DICOMweb 503 with the reason and Retry-After. */
export function sendSourceUnavailable(request: FastifyRequest, reply: FastifyReply, error: BlobStoreError, retryAfterSeconds: number): FastifyReply {
  void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  return sendDicomwebProblem(request, reply, 'sourceUnavailable', 'retrieval.edgeUnavailable', error.message);
}

/** The instance the path names, or a 404 reply: study and series must match what was stored. */
export async function findInstance(deps: DicomwebDeps, request: FastifyRequest, reply: FastifyReply, study: string, series: string, sop: string): Promise<InstanceRecord | undefined> {
  const record = await deps.archive.catalog.getInstance(sop);
  if (record && record.studyInstanceUid === study && record.seriesInstanceUid === series) return record;
  sendDicomwebProblem(request, reply, 'notFound', 'dicomweb.notFound.instance');
  return undefined;
}

export interface StudyParams { readonly study: string }
export interface SeriesParams extends StudyParams { readonly series: string }
export interface InstanceParams extends SeriesParams { readonly instance: string }
export interface FrameParams extends InstanceParams { readonly frames: string }
