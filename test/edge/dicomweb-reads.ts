// What the edge tests and bench read back from the city over DICOMweb: QIDO counts, series metadata,
// whole instances (WADO-RS, multipart) and single frames, each with the source the retrieval router
// says it used (X-Yunying-Source: cache | city | edge | remote) and how long it took.
import { Readable } from 'node:stream';
import { parseMultipartRelated } from '../../lib/dicomweb/parse-multipart-related.ts';
import type { SentInstance } from './edge-data.ts';

export const SOURCE_HEADER = 'x-yunying-source';

export interface Reader {
  readonly dicomweb: string;
  readonly headers: Readonly<Record<string, string>>;
}

type DicomJson = Record<string, { Value?: unknown[] } | undefined>;

export function tagValue(item: DicomJson, tag: string): unknown {
  return item[tag]?.Value?.[0];
}

/** SOP Instance UIDs of the study as QIDO lists them (every match, in one page). */
export async function qidoInstances(r: Reader, studyInstanceUid: string): Promise<string[]> {
  const response = await fetch(`${r.dicomweb}/studies/${studyInstanceUid}/instances?limit=10000`, { headers: { ...r.headers, accept: 'application/dicom+json' } });
  if (response.status === 204) return [];
  if (response.status !== 200) throw new Error(`QIDO instances of a study: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as DicomJson[]).map((item) => String(tagValue(item, '00080018')));
}

export interface Timed<T> {
  readonly status: number;
  readonly ms: number;
  readonly source: string | null;
  readonly value: T;
}

/** The series metadata (DICOM JSON), timed. */
export async function seriesMetadata(r: Reader, studyUid: string, seriesUid: string, timeoutMs = 30_000): Promise<Timed<DicomJson[] | string>> {
  const started = performance.now();
  const response = await fetch(`${r.dicomweb}/studies/${studyUid}/series/${seriesUid}/metadata`, {
    headers: { ...r.headers, accept: 'application/dicom+json' }, signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let value: DicomJson[] | string = text;
  if (response.status === 200) value = JSON.parse(text) as DicomJson[];
  return { status: response.status, ms, source: response.headers.get(SOURCE_HEADER), value };
}

/** One frame as a single part (application/octet-stream), timed; the body is the error text when not 200. */
export async function fetchFrame(r: Reader, i: SentInstance, n: number, timeoutMs = 30_000): Promise<Timed<Buffer>> {
  const started = performance.now();
  const response = await fetch(`${r.dicomweb}/studies/${i.studyInstanceUid}/series/${i.seriesInstanceUid}/instances/${i.sopInstanceUid}/frames/${n}`, {
    headers: { ...r.headers, accept: 'application/octet-stream' }, signal: AbortSignal.timeout(timeoutMs),
  });
  const value = Buffer.from(await response.arrayBuffer());
  return { status: response.status, ms: performance.now() - started, source: response.headers.get(SOURCE_HEADER), value };
}

/** The stored object of an instance through WADO-RS (multipart/related; type="application/dicom"). */
export async function fetchInstance(r: Reader, i: SentInstance): Promise<Timed<Buffer>> {
  const started = performance.now();
  const response = await fetch(`${r.dicomweb}/studies/${i.studyInstanceUid}/series/${i.seriesInstanceUid}/instances/${i.sopInstanceUid}`, {
    headers: { ...r.headers, accept: 'multipart/related; type="application/dicom"' }, signal: AbortSignal.timeout(30_000),
  });
  const source = response.headers.get(SOURCE_HEADER);
  if (response.status !== 200 || !response.body) {
    return { status: response.status, ms: performance.now() - started, source, value: Buffer.from(await response.text()) };
  }
  const boundary = /boundary="?([^";]+)"?/i.exec(response.headers.get('content-type') ?? '')?.[1] ?? '';
  const parts: Buffer[] = [];
  for await (const part of parseMultipartRelated(Readable.fromWeb(response.body), boundary)) {
    const chunks: Buffer[] = [];
    for await (const chunk of part.body) chunks.push(chunk as Buffer);
    parts.push(Buffer.concat(chunks));
  }
  if (parts.length !== 1) throw new Error(`WADO-RS instance: ${parts.length} parts`);
  return { status: 200, ms: performance.now() - started, source, value: parts[0] ?? Buffer.alloc(0) };
}
