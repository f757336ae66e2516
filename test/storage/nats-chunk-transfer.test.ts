// Chunked transfer over NATS with credit-based flow control, against a real nats-server whose
// max_payload is small (64 KiB) so that chunk sizing is checked for real: a slow receiver keeps at most
// `window` chunks queued while the sender waits; a receiver that refuses the bytes fails the sender.
import test from 'ava';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { connect, type NatsConnection } from 'nats';
import { chunkBytesFor, ENVELOPE_BYTES, sendChunked, serveChunkTransfers } from '../../storage-nodes/nats-chunk-transfer.ts';
import { freePort, tempDir, waitFor } from '../helpers/processes.ts';

const MAX_PAYLOAD = 64 * 1024;

async function smallPayloadNats(t: { teardown(fn: () => void): void }): Promise<string> {
  const port = await freePort();
  const conf = join(tempDir('nats-small'), 'nats.conf');
  writeFileSync(conf, `listen: 127.0.0.1:${port}\nmax_payload: ${MAX_PAYLOAD}\n`);
  const child = spawn('nats-server', ['-c', conf], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  const url = `nats://127.0.0.1:${port}`;
  await waitFor('nats-server', async () => { const nc = await connect({ servers: url }); await nc.close(); return true; }, 10_000, 100);
  return url;
}

/** The object as a stream of odd-sized pieces, generated on the fly (never one buffer). */
function generated(seed: Buffer, size: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) { this.push(null); return; }
      const n = Math.min(size - sent, 10_007);
      this.push(Buffer.alloc(n, seed[sent % seed.length]));
      sent += n;
    },
  });
}

async function hashOf(stream: Readable): Promise<string> {
  const h = createHash('sha256');
  for await (const c of stream) h.update(c as Buffer);
  return h.digest('hex');
}

test('a slow receiver holds at most its window of chunks; chunks fill max_payload; the bytes arrive whole', async (t) => {
  const url = await smallPayloadNats(t);
  const sender: NatsConnection = await connect({ servers: url });
  const receiver: NatsConnection = await connect({ servers: url });
  t.teardown(() => { void sender.close(); void receiver.close(); });
  t.is(chunkBytesFor(sender), MAX_PAYLOAD - ENVELOPE_BYTES);
  const window = 4;
  const size = 6 * 1024 * 1024;
  const seed = randomBytes(64);
  const expected = await hashOf(generated(seed, size));
  let maxQueued = 0;
  let chunks = 0;
  let received = '';
  let consumerDone = 0;
  serveChunkTransfers(receiver, 'test.xfer', {
    window,
    onQueued: (q) => { maxQueued = Math.max(maxQueued, q); },
    accept: async (_meta, stream) => {
      const h = createHash('sha256');
      for await (const c of stream) {
        chunks += 1;
        t.true((c as Buffer).length <= MAX_PAYLOAD - ENVELOPE_BYTES);
        h.update(c as Buffer);
        await new Promise((r) => setTimeout(r, 3)); // a slow disk
      }
      received = h.digest('hex');
      consumerDone = Date.now();
    },
  });
  await receiver.flush();
  await sendChunked(sender, 'test.xfer', { id: 'x1', sha256: expected, size }, generated(seed, size), 10_000);
  const senderDone = Date.now();
  t.is(received, expected);
  t.is(chunks, Math.ceil(size / (MAX_PAYLOAD - ENVELOPE_BYTES)));
  t.log(`${chunks} chunks, at most ${maxQueued} queued at the receiver (window ${window})`);
  t.true(maxQueued <= window, `queued ${maxQueued}`);
  t.true(senderDone >= consumerDone, 'the sender finishes only after the receiver consumed the last chunk');
});

test('a receiver that refuses the object fails the sender; a receiver that stops granting times it out', async (t) => {
  const url = await smallPayloadNats(t);
  const nc = await connect({ servers: url });
  t.teardown(() => { void nc.close(); });
  serveChunkTransfers(nc, 'test.refuse', {
    window: 2,
    accept: async (_meta, stream) => { for await (const c of stream) if ((c as Buffer).length > 0) throw new Error('hash mismatch'); },
  });
  serveChunkTransfers(nc, 'test.stall', { window: 2, accept: () => new Promise(() => undefined) });
  await nc.flush();
  const seed = randomBytes(8);
  const refused = await t.throwsAsync(sendChunked(nc, 'test.refuse', { id: 'r', sha256: 'x', size: 500_000 }, generated(seed, 500_000), 5000));
  t.regex(refused?.message ?? '', /hash mismatch/);
  const stalled = await t.throwsAsync(sendChunked(nc, 'test.stall', { id: 's', sha256: 'x', size: 500_000 }, generated(seed, 500_000), 1000));
  t.regex(stalled?.message ?? '', /no credit/);
});
