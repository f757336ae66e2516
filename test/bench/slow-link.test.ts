// The slow link of the edge tests and bench (bench/link/slow-link.ts): the latency it adds, the rate it
// allows, the bytes it carries, and the bound on what it buffers. A link that added no latency or let
// bytes through too fast would make the edge bench report a fast hospital link that does not exist.
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { startSlowLink } from '../../bench/link/slow-link.ts';

async function listen(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** Median round trip of one byte echoed back, over `rounds` exchanges. */
async function medianRoundTrip(port: number, rounds: number): Promise<number> {
  const socket = await open(port);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const echoed = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write(Buffer.from([i & 0xff]));
    await echoed;
    times.push(performance.now() - started);
  }
  socket.destroy();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

test('adds the configured latency each way: 10 ms one way = about 20 ms more per round trip', async (t) => {
  const echo = await listen((s) => s.pipe(s));
  const link = await startSlowLink({ targetPort: echo.port, latencyMs: 10, bytesPerSecond: 0 });
  t.teardown(async () => { await link.close(); echo.server.close(); });
  const direct = await medianRoundTrip(echo.port, 15);
  const slow = await medianRoundTrip(link.port, 15);
  t.log(`round trip: direct ${direct.toFixed(2)} ms, through the link ${slow.toFixed(2)} ms`);
  // Each direction may deliver up to 0.5 ms early (timer granularity), never more.
  t.true(slow >= 19, `round trip ${slow.toFixed(2)} ms`);
  t.true(slow - direct < 30, `added ${(slow - direct).toFixed(2)} ms`);
});

test('caps the rate of each direction and carries every byte intact, both ways at once', async (t) => {
  const size = 3 * 1024 * 1024;
  const bytesPerSecond = 3e6; // 24 Mbit/s: 3 MiB take about 1.05 s
  const fromServer = randomBytes(size);
  const fromClient = randomBytes(size);
  const received = { server: [] as Buffer[] };
  const peer = await listen((s) => {
    s.on('data', (c: Buffer) => received.server.push(c));
    s.end(fromServer);
  });
  const link = await startSlowLink({ targetPort: peer.port, latencyMs: 5, bytesPerSecond });
  t.teardown(async () => { await link.close(); peer.server.close(); });
  const started = performance.now();
  const socket = await open(link.port);
  const chunks: Buffer[] = [];
  const down = new Promise<number>((resolve) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(performance.now() - started));
  });
  socket.end(fromClient);
  const downMs = await down;
  const upDone = new Promise<void>((resolve) => { const poll = () => (Buffer.concat(received.server).length >= size ? resolve() : setTimeout(poll, 20)); poll(); });
  await upDone;
  const expectedMs = (size / bytesPerSecond) * 1000;
  t.log(`3 MiB each way at ${bytesPerSecond / 1e6} MB/s: ${downMs.toFixed(0)} ms (expected ~${expectedMs.toFixed(0)} ms)`);
  t.true(downMs > expectedMs * 0.9, `too fast: ${downMs.toFixed(0)} ms`);
  t.true(downMs < expectedMs * 1.5, `too slow: ${downMs.toFixed(0)} ms`);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  t.is(sha(Buffer.concat(chunks)), sha(fromServer), 'server -> client bytes intact');
  t.is(sha(Buffer.concat(received.server)), sha(fromClient), 'client -> server bytes intact');
  const stats = link.stats();
  t.is(stats.down.bytes, size);
  t.is(stats.up.bytes, size);
});

test('buffers a bounded amount when the receiver does not read: the sender meets backpressure', async (t) => {
  const maxQueuedBytes = 256 * 1024;
  let receiver: Socket | undefined;
  const peer = await listen((s) => { receiver = s; s.pause(); });
  const link = await startSlowLink({ targetPort: peer.port, latencyMs: 1, bytesPerSecond: 0, maxQueuedBytes });
  t.teardown(async () => { await link.close(); peer.server.close(); });
  const socket = await open(link.port);
  const block = randomBytes(64 * 1024);
  let written = 0;
  // Write 64 MiB without waiting: the kernel buffers and the link's queue absorb a few MiB, no more.
  for (let i = 0; i < 1024; i++) { socket.write(block); written += block.length; }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const stats = link.stats();
  t.log(`written ${written / 2 ** 20} MiB; the link forwarded ${(stats.up.bytes / 2 ** 20).toFixed(1)} MiB, queued at most ${(stats.up.maxQueuedBytes / 1024).toFixed(0)} KiB`);
  t.true(stats.up.maxQueuedBytes <= maxQueuedBytes + 64 * 1024, 'the queue stays within its bound plus one socket read');
  t.true(stats.up.bytes < written / 4, 'most of the data waits in the sender, not in the link');
  receiver?.resume();
  socket.destroy();
});
