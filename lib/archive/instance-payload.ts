// The per-instance payload of the series bundle (header as DICOM JSON, frame and bulk data offsets),
// split over rows of series_instances so that no cell approaches Cassandra's 1 MB guidance and the head
// row stays small enough to travel in the ingest batch (Cassandra refuses batches over 50 KiB).
import type { ByteRange } from '../blob-store/blob-store.ts';
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';

export interface InstancePayload {
  readonly dataset: DicomJsonDataset;
  readonly frames: readonly (readonly ByteRange[])[];
  readonly bulkData: Readonly<Record<string, ByteRange>>;
}

/** Payloads up to this many UTF-8 bytes live in the head row itself. */
export const INLINE_PAYLOAD_BYTES = 16 * 1024;
/** Larger payloads are cut into chunks of at most this many UTF-16 units (at most 3x in UTF-8). */
export const CHUNK_UNITS = 64 * 1024;

type Compact = { d: DicomJsonDataset; f: [number, number][][]; b: Record<string, [number, number]> };

export function encodePayload(payload: InstancePayload): string {
  const compact: Compact = {
    d: payload.dataset,
    f: payload.frames.map((frame) => frame.map((r) => [r.offset, r.length])),
    b: Object.fromEntries(Object.entries(payload.bulkData).map(([tag, r]) => [tag, [r.offset, r.length]])),
  };
  return JSON.stringify(compact);
}

export function decodePayload(text: string): InstancePayload {
  const compact = JSON.parse(text) as Compact;
  return {
    dataset: compact.d,
    frames: compact.f.map((frame) => frame.map(([offset, length]) => ({ offset, length }))),
    bulkData: Object.fromEntries(Object.entries(compact.b).map(([tag, [offset, length]]) => [tag, { offset, length }])),
  };
}

/** Inline text for the head row, or chunks (the head row then carries none). Cuts never split a
 * surrogate pair (the index refuses lone surrogates). */
export function splitPayload(text: string): { readonly inline?: string; readonly chunks: readonly string[] } {
  if (Buffer.byteLength(text, 'utf8') <= INLINE_PAYLOAD_BYTES) return { inline: text, chunks: [] };
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + CHUNK_UNITS, text.length);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end -= 1;
    chunks.push(text.slice(start, end));
    start = end;
  }
  return { chunks };
}
