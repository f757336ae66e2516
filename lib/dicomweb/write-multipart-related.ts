// Writes a multipart/related body (RFC 2387, PS3.18 8.7.3.1) part after part as a stream: each part's
// bytes are piped through as they arrive, so an instance of any size is never held in memory.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { formatMediaType } from './media-type.ts';

export interface OutgoingPart {
  readonly contentType: string;
  /** Extra part headers (e.g. Content-Location). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Opened at most PARTS_OPENED_AHEAD parts ahead of the one being written, so a body holds a bounded
   * number of sources open. */
  open(): Promise<Readable | Uint8Array>;
}

export function createBoundary(): string {
  return `yunying-${randomBytes(12).toString('hex')}`;
}

/** The Content-Type of the whole body. */
export function multipartContentType(boundary: string, partType: string, extra: Readonly<Record<string, string>> = {}): string {
  return formatMediaType('multipart/related', { type: partType, ...extra, boundary });
}

function partHead(boundary: string, part: OutgoingPart): Buffer {
  const lines = [`--${boundary}`, `Content-Type: ${part.contentType}`];
  for (const [name, value] of Object.entries(part.headers ?? {})) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

interface Opening {
  readonly part: OutgoingPart;
  readonly body: Promise<Readable | Uint8Array>;
}

function startOpening(part: OutgoingPart): Opening {
  const body = part.open();
  // Awaited when the part is written; until then a failure must not count as unhandled.
  body.catch(() => undefined);
  return { part, body };
}

function discard(opening: Opening): void {
  opening.body.then((body) => { if (!(body instanceof Uint8Array)) body.destroy(); }, () => undefined);
}

async function* writePart(boundary: string, opening: Opening, first: boolean): AsyncGenerator<Uint8Array> {
  yield first ? partHead(boundary, opening.part) : Buffer.concat([Buffer.from('\r\n'), partHead(boundary, opening.part)]);
  const body = await opening.body;
  if (body instanceof Uint8Array) {
    yield body;
  } else {
    for await (const chunk of body) yield chunk as Uint8Array;
  }
}

/** Parts opened ahead of the one streaming. Opening a blob costs a lookup (and, on the cluster, a request
 * to a storage node), which would otherwise stall the socket once per part; at most this many small
 * parts are held open, so memory stays bounded whatever the study's size. */
export const PARTS_OPENED_AHEAD = 4;

async function* generateParts(boundary: string, parts: AsyncIterable<OutgoingPart> | Iterable<OutgoingPart>): AsyncGenerator<Uint8Array> {
  let first = true;
  const opened: Opening[] = [];
  try {
    for await (const part of parts) {
      opened.push(startOpening(part));
      const current = opened.length > PARTS_OPENED_AHEAD ? opened.shift() : undefined;
      if (current) { yield* writePart(boundary, current, first); first = false; }
    }
    for (let current = opened.shift(); current; current = opened.shift()) { yield* writePart(boundary, current, first); first = false; }
  } finally {
    for (const opening of opened) discard(opening);
  }
  yield Buffer.from(`${first ? '' : '\r\n'}--${boundary}--\r\n`, 'latin1');
}

/** A stream of the multipart body; an error in any part's source errors the stream (the client sees a
 * truncated body rather than a well-formed lie). */
export function writeMultipartRelated(boundary: string, parts: AsyncIterable<OutgoingPart> | Iterable<OutgoingPart>): Readable {
  return Readable.from(generateParts(boundary, parts), { objectMode: false });
}
