// What every DICOMweb route shares: its dependencies, the error reply (through the one outcome mapping
// of lib/dicomweb/dicomweb-problem.ts), the root URL responses point to, and retrieval metrics.
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Catalog, InstanceRecord } from '../../lib/archive/catalog.ts';
import type { BlobStore, ByteRange } from '../../lib/blob-store/blob-store.ts';
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
}

export interface DicomwebDeps {
  readonly archive: DicomwebArchive;
  readonly adminToken: string;
  readonly retrievalMetrics: RetrievalMetrics;
  readonly options: DicomwebOptions;
  readonly log: { warn(...args: unknown[]): void; error(...args: unknown[]): void };
  readonly countError: () => void;
}

export const PREFIX = '/dicom-web';

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

/** Marks a reply as a retrieval of `kind`: its duration is observed when the response has been sent. */
export function timeRetrieval(deps: DicomwebDeps, reply: FastifyReply, kind: RetrievalKind): void {
  const end = deps.retrievalMetrics.duration.startTimer({ source: 'city', kind });
  reply.raw.once('finish', () => end());
}

/** Counts the bytes of a blob stream as they leave, without changing its flow. */
async function* countBytes(deps: DicomwebDeps, stream: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    const bytes = chunk as Uint8Array;
    deps.retrievalMetrics.bytes.inc({ source: 'city' }, bytes.length);
    yield bytes;
  }
}

export async function openBlob(deps: DicomwebDeps, sha256: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> {
  return countBytes(deps, await deps.archive.blobs.open(sha256, range));
}

/** The bytes of byte ranges of a blob, in order (a frame's fragments), read into one buffer. Frames are
 * bounded by the image size, which the header reader checked at ingest. */
export async function readRanges(deps: DicomwebDeps, sha256: string, ranges: readonly ByteRange[]): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for (const range of ranges) {
    for await (const chunk of await openBlob(deps, sha256, range)) chunks.push(chunk);
  }
  return Buffer.concat(chunks);
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
