// Writes a multipart/related body (RFC 2387, PS3.18 8.7.3.1) part after part as a stream: each part's
// bytes are piped through as they arrive, so an instance of any size is never held in memory.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { formatMediaType } from './media-type.ts';

export interface OutgoingPart {
  readonly contentType: string;
  /** Extra part headers (e.g. Content-Location). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Opened only when the part is written, so parts open their sources one at a time. */
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

async function* generateParts(boundary: string, parts: AsyncIterable<OutgoingPart> | Iterable<OutgoingPart>): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const part of parts) {
    yield first ? partHead(boundary, part) : Buffer.concat([Buffer.from('\r\n'), partHead(boundary, part)]);
    first = false;
    const body = await part.open();
    if (body instanceof Uint8Array) {
      yield body;
    } else {
      for await (const chunk of body) yield chunk as Uint8Array;
    }
  }
  yield Buffer.from(`${first ? '' : '\r\n'}--${boundary}--\r\n`, 'latin1');
}

/** A stream of the multipart body; an error in any part's source errors the stream (the client sees a
 * truncated body rather than a well-formed lie). */
export function writeMultipartRelated(boundary: string, parts: AsyncIterable<OutgoingPart> | Iterable<OutgoingPart>): Readable {
  return Readable.from(generateParts(boundary, parts), { objectMode: false });
}
