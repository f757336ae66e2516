import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { MultipartError, parseMultipartRelated } from '../../lib/dicomweb/parse-multipart-related.ts';
import { createBoundary, PARTS_OPENED_AHEAD, writeMultipartRelated, type OutgoingPart } from '../../lib/dicomweb/write-multipart-related.ts';

/** Re-chunks bytes into pieces of the given sizes (cycled), to split boundaries anywhere. */
function chunked(bytes: Buffer, sizes: readonly number[]): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length] ?? 1;
    pieces.push(bytes.subarray(at, at + n));
    at += n;
  }
  return Readable.from(pieces);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function parseAll(source: Readable, boundary: string) {
  const out: { headers: Readonly<Record<string, string>>; body: Buffer }[] = [];
  for await (const part of parseMultipartRelated(source, boundary)) out.push({ headers: part.headers, body: await collect(part.body) });
  return out;
}

const part = (contentType: string, bytes: Buffer, headers?: Record<string, string>): OutgoingPart => ({ contentType, ...(headers ? { headers } : {}), open: () => Promise.resolve(bytes) });

test('what the writer writes, the parser reads back, however the bytes are chunked', async (t) => {
  const boundary = createBoundary();
  // Bodies that contain CRLF, dashes and a near-boundary must come back byte for byte.
  const bodies = [randomBytes(70_000), Buffer.from(`\r\n--${boundary.slice(0, -1)}x\r\n--`), Buffer.alloc(0), randomBytes(3)];
  const written = await collect(writeMultipartRelated(boundary, bodies.map((b, i) => part('application/dicom', b, { 'Content-Location': `/x/${i}` }))));
  for (const sizes of [[1], [2, 3, 5, 7], [4096], [written.length]]) {
    const parts = await parseAll(chunked(written, sizes), boundary);
    t.is(parts.length, bodies.length);
    parts.forEach((p, i) => {
      t.true(p.body.equals(bodies[i] ?? Buffer.alloc(1)), `part ${i} with chunks ${sizes.join(',')}`);
      t.is(p.headers['content-type'], 'application/dicom');
      t.is(p.headers['content-location'], `/x/${i}`);
    });
  }
});

test('a preamble, transport padding and an epilogue are tolerated (RFC 2046)', async (t) => {
  const body = Buffer.from('preamble text\r\n--b1  \r\nContent-Type: application/dicom\r\n\r\nABC\r\n--b1--\r\nepilogue');
  const parts = await parseAll(Readable.from([body]), 'b1');
  t.is(parts.length, 1);
  t.is(parts[0]?.body.toString(), 'ABC');
});

test('a part the consumer abandons is drained and the next part still arrives', async (t) => {
  const boundary = createBoundary();
  const written = await collect(writeMultipartRelated(boundary, [part('application/dicom', randomBytes(200_000)), part('application/dicom', Buffer.from('second'))]));
  const seen: string[] = [];
  for await (const p of parseMultipartRelated(chunked(written, [1000]), boundary)) {
    if (seen.length === 0) {
      p.body.read(); // read a little, then give up like a rejecting ingest
      p.body.destroy();
      seen.push('abandoned');
    } else {
      seen.push(await text(p.body));
    }
  }
  t.deepEqual(seen, ['abandoned', 'second']);
});

test('framing faults are MultipartErrors naming the problem', async (t) => {
  const noBoundary = parseAll(Readable.from([Buffer.from('--other\r\n\r\nx\r\n--other--')]), 'b1');
  t.is((await t.throwsAsync(noBoundary, { instanceOf: MultipartError }))?.code, 'NO_BOUNDARY');
  const truncated = parseAll(Readable.from([Buffer.from('--b1\r\nContent-Type: application/dicom\r\n\r\nABCDEF')]), 'b1');
  t.is((await t.throwsAsync(truncated, { instanceOf: MultipartError }))?.code, 'TRUNCATED');
  const noClose = parseAll(Readable.from([Buffer.from('--b1\r\nContent-Type: application/dicom\r\n\r\nABC\r\n--b1')]), 'b1');
  t.is((await t.throwsAsync(noClose, { instanceOf: MultipartError }))?.code, 'TRUNCATED');
  const badHeader = parseAll(Readable.from([Buffer.from('--b1\r\nno colon here\r\n\r\nABC\r\n--b1--')]), 'b1');
  t.is((await t.throwsAsync(badHeader, { instanceOf: MultipartError }))?.code, 'BAD_HEADER');
  const hugeHeader = parseAll(Readable.from([Buffer.from(`--b1\r\nX: ${'a'.repeat(40_000)}`)]), 'b1');
  t.is((await t.throwsAsync(hugeHeader, { instanceOf: MultipartError }))?.code, 'HEADER_TOO_LARGE');
  for (const bad of ['', 'ends with space ', 'x'.repeat(71), 'semi;colon']) {
    t.is((await t.throwsAsync(parseAll(Readable.from([Buffer.from('x')]), bad), { instanceOf: MultipartError }))?.code, 'NO_BOUNDARY', JSON.stringify(bad));
  }
});

test('a large part streams through without being buffered (bounded chunks, lazy source)', async (t) => {
  const boundary = createBoundary();
  const chunk = randomBytes(64 * 1024);
  const chunks = 800; // 50 MiB
  let produced = 0;
  function* source() {
    yield Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
    for (let i = 0; i < chunks; i++) { produced++; yield chunk; }
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  const expected = createHash('sha256');
  for (let i = 0; i < chunks; i++) expected.update(chunk);
  let largest = 0;
  let maxAhead = 0;
  let consumed = 0;
  for await (const p of parseMultipartRelated(Readable.from(source()), boundary)) {
    const hash = createHash('sha256');
    for await (const c of p.body) {
      const b = c as Buffer;
      largest = Math.max(largest, b.length);
      consumed += b.length;
      maxAhead = Math.max(maxAhead, produced * chunk.length - consumed);
      hash.update(b);
    }
    t.is(hash.digest('hex'), expected.digest('hex'));
  }
  t.true(largest <= 2 * chunk.length, `largest chunk ${largest}`);
  // The parser pulls only a few chunks ahead of its consumer (stream high-water marks), never the body.
  t.true(maxAhead < 2 * 1024 * 1024, `read ahead ${maxAhead}`);
});

test('the writer opens a bounded number of parts ahead of the one it writes, and keeps their order', async (t) => {
  let open = 0;
  let mostOpen = 0;
  const parts: OutgoingPart[] = Array.from({ length: 20 }, (_, k) => ({
    contentType: 'application/octet-stream',
    open: async () => {
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      // Later parts open faster than earlier ones: order must come from the list, not from timing.
      await new Promise((resolve) => setTimeout(resolve, 20 - k));
      const body = Readable.from([Buffer.from(`part ${String(k)}`)]);
      body.on('end', () => { open -= 1; });
      return body;
    },
  }));
  const boundary = createBoundary();
  const bodies: string[] = [];
  for await (const p of parseMultipartRelated(writeMultipartRelated(boundary, parts), boundary)) bodies.push(await text(p.body));
  t.deepEqual(bodies, parts.map((_, k) => `part ${String(k)}`));
  t.true(mostOpen > 1, 'parts are opened ahead');
  t.true(mostOpen <= PARTS_OPENED_AHEAD + 1, `at most ${String(PARTS_OPENED_AHEAD + 1)} open at once, saw ${String(mostOpen)}`);
});

test('a part that fails to open ends the body early, and the parts opened ahead of it are closed', async (t) => {
  const destroyed: number[] = [];
  const parts: OutgoingPart[] = Array.from({ length: 10 }, (_, k) => ({
    contentType: 'application/octet-stream',
    open: async () => {
      await Promise.resolve();
      if (k === 2) throw new Error('blob gone');
      const body = Readable.from([Buffer.from(`part ${String(k)}`)]);
      body.on('close', () => { if (!body.readableEnded) destroyed.push(k); });
      return body;
    },
  }));
  await t.throwsAsync(collect(writeMultipartRelated(createBoundary(), parts)), { message: 'blob gone' });
  await new Promise((resolve) => setImmediate(resolve));
  t.true(destroyed.length > 0 && destroyed.every((k) => k > 2), `closed unread: ${destroyed.join(',')}`);
});
