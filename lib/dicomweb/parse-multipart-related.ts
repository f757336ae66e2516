// Streaming parser for multipart/related bodies (RFC 2387 over the multipart grammar of RFC 2046 5.1),
// as STOW-RS sends them (PS3.18 10.5.1). It yields one part at a time with its body as a Readable that
// pulls bytes from the request only as fast as the consumer reads them: a part of any size passes
// through a buffer no larger than one network chunk plus the boundary. A part is drained (discarded)
// when its consumer stops early, so a rejected instance does not stall the rest of the request.
import { Readable } from 'node:stream';

export type MultipartErrorCode = 'NO_BOUNDARY' | 'TRUNCATED' | 'BAD_HEADER' | 'HEADER_TOO_LARGE';

export class MultipartError extends Error {
  readonly code: MultipartErrorCode;
  constructor(code: MultipartErrorCode, message: string) {
    super(message);
    this.name = 'MultipartError';
    this.code = code;
  }
}

export interface MultipartPart {
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readable;
}

export interface MultipartOptions {
  /** Largest part header block (default 16 KiB). */
  readonly maxHeaderBytes?: number;
  /** Largest preamble before the first boundary (default 64 KiB). */
  readonly maxPreambleBytes?: number;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** RFC 2046: 1-70 characters from bchars, not ending in a space. */
export function isValidBoundary(boundary: string): boolean {
  return /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary);
}

/** Pulls bytes from the source on demand; every method advances one shared position. */
class Scanner {
  private buf: Buffer;
  private readonly source: AsyncIterator<unknown>;
  private done = false;
  readonly delimiter: Buffer;
  /** Set when the body scan reached the next delimiter. */
  partEnded = false;

  constructor(source: Readable, boundary: string) {
    this.source = source[Symbol.asyncIterator]();
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    // The first delimiter may open the body without a CRLF: pretend it had one.
    this.buf = Buffer.from(CRLF);
  }

  /** Reads one more chunk into the buffer; false at the end of the source. */
  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done === true) {
      this.done = true;
      return false;
    }
    const value: unknown = next.value;
    const chunk = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value as Uint8Array);
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }

  async skipPreamble(max: number): Promise<void> {
    for (;;) {
      const at = this.buf.indexOf(this.delimiter);
      if (at >= 0) {
        this.buf = this.buf.subarray(at + this.delimiter.length);
        return;
      }
      if (this.buf.length > max + this.delimiter.length) throw new MultipartError('NO_BOUNDARY', 'the boundary of the Content-Type does not occur in the body');
      if (!(await this.fill())) throw new MultipartError('NO_BOUNDARY', 'the boundary of the Content-Type does not occur in the body');
    }
  }

  private async need(n: number): Promise<void> {
    while (this.buf.length < n) {
      if (!(await this.fill())) throw new MultipartError('TRUNCATED', 'the body ends before the closing boundary');
    }
  }

  /** After a delimiter: true when it was the closing one (`--`), false when a part follows. */
  async readDelimiterTail(): Promise<boolean> {
    await this.need(2);
    if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) return true;
    // Transport padding (linear white space) may follow a delimiter before its CRLF.
    for (;;) {
      const crlf = this.buf.indexOf(CRLF);
      if (crlf >= 0) {
        if (!/^[ \t]*$/.test(this.buf.subarray(0, crlf).toString('latin1'))) throw new MultipartError('BAD_HEADER', 'a boundary line carries unexpected characters');
        this.buf = this.buf.subarray(crlf + 2);
        return false;
      }
      if (this.buf.length > 1024) throw new MultipartError('BAD_HEADER', 'a boundary line carries unexpected characters');
      await this.need(this.buf.length + 1);
    }
  }

  async readHeaders(max: number): Promise<Record<string, string>> {
    // A part without headers starts directly with the empty line.
    if (this.buf.length < 2) await this.need(2);
    if (this.buf[0] === 0x0d && this.buf[1] === 0x0a) {
      this.buf = this.buf.subarray(2);
      return {};
    }
    for (;;) {
      const end = this.buf.indexOf(HEADER_END);
      if (end >= 0) {
        const text = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end + HEADER_END.length);
        return parseHeaderBlock(text);
      }
      if (this.buf.length > max) throw new MultipartError('HEADER_TOO_LARGE', `a part's headers exceed ${max} bytes`);
      await this.need(this.buf.length + 1);
    }
  }

  /** The next bytes of the current part's body, or null at its end. */
  async nextBodyChunk(): Promise<Buffer | null> {
    if (this.partEnded) return null;
    for (;;) {
      const at = this.buf.indexOf(this.delimiter);
      if (at >= 0) {
        const chunk = this.buf.subarray(0, at);
        this.buf = this.buf.subarray(at + this.delimiter.length);
        this.partEnded = true;
        return chunk.length > 0 ? chunk : null;
      }
      // Keep a tail that may be the start of a delimiter split across chunks.
      const keep = this.delimiter.length - 1;
      if (this.buf.length > keep) {
        const chunk = this.buf.subarray(0, this.buf.length - keep);
        this.buf = this.buf.subarray(this.buf.length - keep);
        return chunk;
      }
      if (!(await this.fill())) throw new MultipartError('TRUNCATED', 'the body ends inside a part, before the next boundary');
    }
  }
}

function parseHeaderBlock(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  // Obsolete line folding (a line starting with white space continues the previous one).
  for (const line of text.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError('BAD_HEADER', 'a part header line has no name');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** A part body that asks the scanner for bytes when read; `settled()` waits for a read in flight. */
class PartBody extends Readable {
  private readonly scanner: Scanner;
  private inFlight: Promise<void> | undefined;

  constructor(scanner: Scanner) {
    super();
    this.scanner = scanner;
  }

  override _read(): void {
    if (this.inFlight) return;
    this.inFlight = this.scanner.nextBodyChunk().then(
      (chunk) => {
        this.inFlight = undefined;
        if (!this.destroyed) this.push(chunk);
      },
      (error: unknown) => {
        this.inFlight = undefined;
        this.destroy(error as Error);
      },
    );
  }

  async settled(): Promise<void> {
    await this.inFlight;
  }
}

/** Yields the parts of a multipart body in order. Each part's body must be consumed or abandoned
 * before the generator is resumed; the generator drains what is left of it. Throws MultipartError for
 * framing faults (the current part's body errors with the same error). */
export async function* parseMultipartRelated(source: Readable, boundary: string, options: MultipartOptions = {}): AsyncGenerator<MultipartPart> {
  if (!isValidBoundary(boundary)) throw new MultipartError('NO_BOUNDARY', 'the multipart boundary is missing or not valid (RFC 2046)');
  const scanner = new Scanner(source, boundary);
  await scanner.skipPreamble(options.maxPreambleBytes ?? 64 * 1024);
  for (;;) {
    if (await scanner.readDelimiterTail()) return;
    const headers = await scanner.readHeaders(options.maxHeaderBytes ?? 16 * 1024);
    scanner.partEnded = false;
    const body = new PartBody(scanner);
    yield { headers, body };
    await body.settled();
    if (!body.readableEnded && !body.destroyed) body.destroy();
    while ((await scanner.nextBodyChunk()) !== null) { /* drain what the consumer left */ }
  }
}
