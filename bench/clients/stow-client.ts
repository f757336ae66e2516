// A small STOW-RS client (PS3.18 §10.5): one POST per study, the instances streamed from disk as a
// multipart/related; type="application/dicom" body with a known Content-Length, never held in memory.
import { createReadStream } from 'node:fs';
import { request, type Agent } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export interface StowPart {
  readonly file: string;
  readonly bytes: number;
}

export interface StowOutcome {
  readonly status: number;
  /** Instances the server listed as stored (ReferencedSOPSequence). */
  readonly stored: number;
  /** Instances it listed as failed (FailedSOPSequence). */
  readonly failed: number;
}

export function multipartFraming(boundary: string): { head: Buffer; tail: Buffer } {
  return {
    head: Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`),
  };
}

/** The body as a stream: each part's header, the file, CRLF before the next delimiter. */
export function multipartBody(parts: readonly StowPart[], boundary: string): { stream: Readable; length: number } {
  const { head, tail } = multipartFraming(boundary);
  const between = Buffer.from('\r\n');
  const length = parts.reduce((n, p) => n + head.length + p.bytes, 0) + between.length * Math.max(0, parts.length - 1) + tail.length;
  async function* generate(): AsyncGenerator<Buffer> {
    for (const [k, part] of parts.entries()) {
      if (k > 0) yield between;
      yield head;
      for await (const chunk of createReadStream(part.file, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
    }
    yield tail;
  }
  return { stream: Readable.from(generate()), length };
}

function countSequence(body: unknown, tag: string): number {
  if (typeof body !== 'object' || body === null) return 0;
  const element = (body as Record<string, { Value?: unknown[] } | undefined>)[tag];
  return Array.isArray(element?.Value) ? element.Value.length : 0;
}

export function stowStudy(url: string, parts: readonly StowPart[], headers: Readonly<Record<string, string>>, agent: Agent): Promise<StowOutcome> {
  const boundary = `yy-bench-${randomBytes(12).toString('hex')}`;
  const { stream, length } = multipartBody(parts, boundary);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', agent,
      headers: {
        ...headers, accept: 'application/dicom+json', 'content-length': String(length),
        'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        let body: unknown;
        try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { body = undefined; }
        resolve({ status: res.statusCode ?? 0, stored: countSequence(body, '00081199'), failed: countSequence(body, '00081198') });
      });
      res.on('error', reject);
    });
    req.setTimeout(600_000, () => req.destroy(new Error(`STOW ${url} timed out`)));
    req.on('error', reject);
    stream.on('error', (error) => req.destroy(error));
    stream.pipe(req);
  });
}
