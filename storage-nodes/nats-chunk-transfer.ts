// Bulk bytes over NATS where only NATS connects two nodes (a hospital edge behind its leaf connection):
// the object travels as a sequence of chunks sized from the server's announced max_payload minus this
// envelope, under credit-based flow control: the receiver grants `window` chunks up front and one more
// each time its consumer takes a chunk, and the sender publishes only against credit. So the receiver
// never holds more than `window` (+1 in the consumer's stream) chunks, whatever the object size and
// however slow its disk; Moleculer streams over NATS, by contrast, park every chunk in an unbounded map.
// NATS core is at-most-once: a lost chunk shows as a gap in the sequence, and the transfer fails (the
// caller retries it whole); a silent peer fails it after `idleTimeoutMs`.
import { Readable } from 'node:stream';
import { createInbox, type Msg, type NatsConnection, type Subscription } from 'nats';

/** seq (u32), flags (u32): bit 0 = last message (no payload), bit 1 = abort. */
export const ENVELOPE_BYTES = 8;
const FLAG_END = 1;
const FLAG_ABORT = 2;

export interface TransferMeta {
  readonly id: string;
  readonly sha256: string;
  readonly size: number;
  /** Small string facts the receiver's consumer needs (what the bytes are, who sends them). */
  readonly attributes?: Readonly<Record<string, string>>;
}

interface OpenRequest extends TransferMeta { readonly ack: string }
type Control = { readonly credit: number } | { readonly done: true } | { readonly done: false; readonly error: string };

const encode = (value: unknown) => Buffer.from(JSON.stringify(value));
const decode = <T>(msg: Msg): T => JSON.parse(Buffer.from(msg.data).toString()) as T;

function envelope(seq: number, flags: number, payload?: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(ENVELOPE_BYTES + (payload?.length ?? 0));
  out.writeUInt32BE(seq >>> 0, 0);
  out.writeUInt32BE(flags, 4);
  if (payload) out.set(payload, ENVELOPE_BYTES);
  return out;
}

/** The largest chunk the server accepts in one message, after the envelope. */
export function chunkBytesFor(nc: NatsConnection): number {
  const max = nc.info?.max_payload ?? 1024 * 1024;
  return max - ENVELOPE_BYTES;
}

/** Re-slices a stream into pieces of exactly `size` bytes (the last one shorter). */
async function* slices(source: AsyncIterable<unknown>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const chunk of source) {
    let bytes = chunk as Buffer;
    while (length + bytes.length >= size) {
      const take = size - length;
      pending.push(bytes.subarray(0, take));
      yield Buffer.concat(pending);
      bytes = bytes.subarray(take);
      pending = [];
      length = 0;
    }
    if (bytes.length > 0) { pending.push(bytes); length += bytes.length; }
  }
  if (length > 0) yield Buffer.concat(pending);
}

class Credits {
  private available = 0;
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  add(n: number): void { this.available += n; this.wake(); }
  fail(error: Error): void { this.failure = error; this.wake(); }
  private wake(): void { const w = this.waiter; this.waiter = undefined; w?.(); }
  async take(idleTimeoutMs: number): Promise<void> {
    while (this.available === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => { this.waiter = undefined; reject(new Error(`receiver granted no credit for ${idleTimeoutMs} ms`)); }, idleTimeoutMs);
        this.waiter = () => { clearTimeout(timer); resolve(); };
      });
    }
    if (this.failure) throw this.failure;
    this.available -= 1;
  }
}

/** Sends one object to the receiver serving `subject`; resolves when the receiver's consumer is done. */
export async function sendChunked(nc: NatsConnection, subject: string, meta: TransferMeta, source: Readable, idleTimeoutMs: number): Promise<void> {
  const ack = createInbox();
  const credits = new Credits();
  let finished: (error?: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => { finished = (error) => (error ? reject(error) : resolve()); });
  // Awaited only after the last chunk; a refusal before that is reported through `credits`.
  done.catch(() => undefined);
  const sub: Subscription = nc.subscribe(ack, {
    callback: (_error, msg) => {
      const control = decode<Control>(msg);
      if ('credit' in control) credits.add(control.credit);
      else if (control.done) finished();
      else { const e = new Error(control.error); credits.fail(e); finished(e); }
    },
  });
  try {
    const reply = decode<{ data: string }>(await nc.request(subject, encode({ ...meta, ack } satisfies OpenRequest), { timeout: idleTimeoutMs }));
    let seq = 0;
    try {
      for await (const piece of slices(source, chunkBytesFor(nc))) {
        await credits.take(idleTimeoutMs);
        nc.publish(reply.data, envelope(seq++, 0, piece));
      }
      await credits.take(idleTimeoutMs);
      nc.publish(reply.data, envelope(seq, FLAG_END));
    } catch (error) {
      nc.publish(reply.data, envelope(seq, FLAG_ABORT));
      throw error;
    }
    const timer = setTimeout(() => finished(new Error(`receiver did not confirm within ${idleTimeoutMs} ms`)), idleTimeoutMs);
    try { await done; } finally { clearTimeout(timer); }
  } finally {
    sub.unsubscribe();
  }
}

export interface ServeOptions {
  /** Chunks the receiver lets the sender have in flight (its memory bound, in chunks). */
  readonly window: number;
  /** Consumes one object; its stream ends after the last chunk (or errors on a gap or abort). */
  readonly accept: (meta: TransferMeta, stream: Readable) => Promise<void>;
  /** Observes how many chunks wait for the consumer (tests assert the bound). */
  readonly onQueued?: (queued: number) => void;
  /** NATS queue group: several receivers share the subject and each transfer reaches one of them. */
  readonly queue?: string;
}

function receive(nc: NatsConnection, request: OpenRequest, options: ServeOptions): string {
  const dataSubject = createInbox();
  const queue: Buffer[] = [];
  let expected = 0;
  let ended = false;
  let wanting = false;
  const grant = (credit: number) => nc.publish(request.ack, encode({ credit } satisfies Control));
  // One chunk per read, at most one buffered inside the stream: the queue below is the whole backlog.
  const stream = new Readable({ objectMode: true, highWaterMark: 1, read() { wanting = true; drain(); } });
  const drain = () => {
    while (wanting && queue.length > 0) {
      wanting = stream.push(queue.shift());
      grant(1);
    }
    if (wanting && ended && queue.length === 0) { stream.push(null); wanting = false; }
  };
  const sub = nc.subscribe(dataSubject, {
    callback: (_error, msg) => {
      const data = Buffer.from(msg.data);
      const seq = data.readUInt32BE(0);
      const flags = data.readUInt32BE(4);
      if (flags & FLAG_ABORT || seq !== expected) {
        sub.unsubscribe();
        stream.destroy(new Error(flags & FLAG_ABORT ? 'sender aborted the transfer' : `chunk ${expected} lost (got ${seq})`));
        return;
      }
      expected += 1;
      if (flags & FLAG_END) { ended = true; sub.unsubscribe(); } else queue.push(data.subarray(ENVELOPE_BYTES));
      options.onQueued?.(queue.length);
      drain();
    },
  });
  options.accept(request, stream).then(
    () => nc.publish(request.ack, encode({ done: true } satisfies Control)),
    (error: unknown) => { sub.unsubscribe(); nc.publish(request.ack, encode({ done: false, error: (error as Error).message } satisfies Control)); },
  );
  // The first window, granted only once the data subscription exists.
  queueMicrotask(() => grant(options.window));
  return dataSubject;
}

/** Serves transfers sent to `subject` until the returned subscription is closed. */
export function serveChunkTransfers(nc: NatsConnection, subject: string, options: ServeOptions): Subscription {
  return nc.subscribe(subject, {
    ...(options.queue ? { queue: options.queue } : {}),
    callback: (_error, msg) => {
      const request = decode<OpenRequest>(msg);
      msg.respond(encode({ data: receive(nc, request, options) }));
    },
  });
}
