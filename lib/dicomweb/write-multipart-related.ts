// Writes a multipart/related body (RFC 2387, PS3.18 8.7.3.1) part after part as a stream: each part's
// bytes are piped through as they arrive, so an instance of any size is never held in memory.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { formatMediaType } from './media-type.ts';

export interface OutgoingPart {
  readonly contentType: string;
  /** Extra part headers (e.g. Content-Location). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Opened at most one part ahead of the one being written, so a body holds at most two sources open. */
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

// The next part is opened while the current one streams (one ahead, never more): opening a blob costs
// a lookup and, for small blobs, a verification read, which would otherwise stall the socket per part.
async function* generateParts(boundary: string, parts: AsyncIterable<OutgoingPart> | Iterable<OutgoingPart>): AsyncGenerator<Uint8Array> {
  let first = true;
  let pending: Opening | undefined;
  try {
    for await (const part of parts) {
      const current = pending;
      pending = startOpening(part);
      if (current) { yield* writePart(boundary, current, first); first = false; }
    }
    const last = pending;
    pending = undefined;
    if (last) { yield* writePart(boundary, last, first); first = false; }
  } finally {
    if (pending) discard(pending);
  }
  yield Buffer.from(`${first ? '' : '\r\n'}--${boundary}--\r\n`, 'latin1');
}

/** A stream of the multipart body; an error in any part's source errors the stream (the client sees a
 * truncated body rather than a well-formed lie). */
export function writeMultipartRelated(boundary: string, parts: AsyncIterable<OutgoingPart> | Iterable<OutgoingPart>): Readable {
  return Readable.from(generateParts(boundary, parts), { objectMode: false });
}
