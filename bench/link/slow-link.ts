// A slow link for tests and the edge bench: a TCP proxy that adds a fixed one-way latency and caps the
// throughput of each direction, because `tc netem` is not available on the project's machines
// (TESTKIT.md). Each direction is a token bucket (rate `bytesPerSecond`, burst `burstBytes`) followed
// by a delay line of `latencyMs`; bytes queued in a direction (waiting for tokens or in flight on the
// delay line) are bounded by `maxQueuedBytes`: past it the source socket is paused until the queue
// drains below half of it, so a fast sender meets TCP backpressure as on a real link. The bound must
// exceed the bandwidth-delay product (rate x latency) or it caps the throughput below the rate.
//
//   const link = await startSlowLink({ targetPort: 7422, latencyMs: 10, bytesPerSecond: 100e6 / 8 });
//   // connect to 127.0.0.1:link.port instead of 7422: +20 ms round trip, 100 Mbit/s each way
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface SlowLinkOptions {
  readonly targetPort: number;
  readonly targetHost?: string;
  /** Port to listen on (default: a free one). */
  readonly listenPort?: number;
  /** Added one-way delay in each direction, in milliseconds. */
  readonly latencyMs: number;
  /** Throughput cap of each direction, in bytes per second (0: no cap). */
  readonly bytesPerSecond: number;
  /** Token bucket depth (default 16 KiB). */
  readonly burstBytes?: number;
  /** Bytes a direction may hold before it pauses its source (default 4 MiB). */
  readonly maxQueuedBytes?: number;
}

export interface DirectionStats {
  bytes: number;
  /** Highest number of bytes the direction held at once. */
  maxQueuedBytes: number;
}

export interface SlowLink {
  readonly port: number;
  /** Totals over every connection: up = client -> target, down = target -> client. */
  stats(): { readonly up: DirectionStats; readonly down: DirectionStats; readonly connections: number };
  /** Closes the listener and every proxied connection. */
  close(): Promise<void>;
}

/** Slices larger than this are cut, so delivery is smooth rather than one burst per socket read. */
const SLICE_BYTES = 16 * 1024;

interface Queued { readonly bytes: Buffer; readonly deliverAt: number }

/** One direction of one connection: tokens, then the delay line, then the destination. */
function pipeSlowly(source: Socket, destination: Socket, o: SlowLinkOptions, stats: DirectionStats): void {
  const rate = o.bytesPerSecond;
  const burst = o.burstBytes ?? SLICE_BYTES;
  const limit = o.maxQueuedBytes ?? 4 * 1024 * 1024;
  const queue: Queued[] = [];
  let queued = 0;
  /** The time (ms, performance.now) at which the bucket's tokens are used up to; GCRA form of a token bucket. */
  let virtualTime = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let waitingForDrain = false;

  const admit = (bytes: Buffer) => {
    const now = performance.now();
    let sendAt = now;
    if (rate > 0) {
      virtualTime = Math.max(virtualTime, now - (burst / rate) * 1000) + (bytes.length / rate) * 1000;
      sendAt = Math.max(now, virtualTime - (burst / rate) * 1000);
    }
    queue.push({ bytes, deliverAt: sendAt + o.latencyMs });
    queued += bytes.length;
    stats.maxQueuedBytes = Math.max(stats.maxQueuedBytes, queued);
  };

  const deliver = () => {
    timer = undefined;
    if (waitingForDrain || destination.destroyed) return;
    const now = performance.now();
    while (queue.length > 0) {
      const head = queue[0];
      if (!head) break;
      // Timers fire late by up to a millisecond: take what is due within half of one now.
      if (head.deliverAt > now + 0.5) {
        timer = setTimeout(deliver, Math.max(1, Math.floor(head.deliverAt - now)));
        return;
      }
      queue.shift();
      queued -= head.bytes.length;
      stats.bytes += head.bytes.length;
      if (source.isPaused() && queued < limit / 2 && !source.destroyed) source.resume();
      if (!destination.write(head.bytes)) {
        waitingForDrain = true;
        destination.once('drain', () => { waitingForDrain = false; deliver(); });
        return;
      }
    }
    if (ended) destination.end();
  };

  source.on('data', (chunk: Buffer) => {
    for (let at = 0; at < chunk.length; at += SLICE_BYTES) admit(chunk.subarray(at, at + SLICE_BYTES));
    if (queued >= limit) source.pause();
    if (!timer && !waitingForDrain) deliver();
  });
  source.on('end', () => {
    ended = true;
    if (!timer && !waitingForDrain) deliver();
  });
}

export async function startSlowLink(o: SlowLinkOptions): Promise<SlowLink> {
  const up: DirectionStats = { bytes: 0, maxQueuedBytes: 0 };
  const down: DirectionStats = { bytes: 0, maxQueuedBytes: 0 };
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    connections += 1;
    const target = connect({ host: o.targetHost ?? '127.0.0.1', port: o.targetPort, allowHalfOpen: true });
    for (const s of [client, target]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
    }
    // A failing side ends the whole connection, as a broken link does; an orderly end (FIN) travels
    // down the delay line behind the bytes before it (half-open sockets, each direction ends alone).
    const destroyBoth = () => { client.destroy(); target.destroy(); };
    client.on('error', destroyBoth);
    target.on('error', destroyBoth);
    pipeSlowly(client, target, o, up);
    pipeSlowly(target, client, o, down);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listenPort ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    stats: () => ({ up: { ...up }, down: { ...down }, connections }),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
