// Drives a pull-style walker (a generator that yields what it needs next) from pushed chunks. The walker
// reads like a recursive-descent parser; the feeder makes it incremental: it satisfies small reads from
// the chunk in place (copying only when a read straddles two chunks), passes over values without
// looking at them (optionally keeping them), and never re-scans bytes. Cost: linear in the bytes.

/** What a walker asks for next. `what` (and `tag`, named only when an error message needs it: no
 * string is built per element) say what is being read. */
export type Need =
  /** n bytes handed to the walker (not kept); `boundary` marks where the object may cleanly end. */
  | { readonly kind: 'read'; readonly length: number; readonly what: string; readonly tag?: string; readonly boundary?: boolean }
  /** n bytes skipped, appended to the kept header when `keep`. */
  | { readonly kind: 'pass'; readonly length: number; readonly keep: boolean; readonly what: string; readonly tag?: string }
  /** Give these bytes (just read) back: they are read again next. */
  | { readonly kind: 'unread'; readonly bytes: Uint8Array }
  /** Everything after this point goes to the rest sink. */
  | { readonly kind: 'rest' };

export type Walker = Generator<Need, void, Uint8Array>;

export interface FeederSinks {
  keep(bytes: Uint8Array, objectOffset: number): void;
  rest(bytes: Uint8Array, objectOffset: number): void;
}

const EMPTY = new Uint8Array(0);

export class ByteFeeder {
  /** Offset (in the fed stream) of the next byte the walker gets. */
  position = 0;
  private need: Need | undefined;
  private readonly walker: Walker;
  private readonly sinks: FeederSinks;
  private pending: Uint8Array = EMPTY;
  private filled = 0;
  private passLeft = 0;
  private replay: Uint8Array | undefined;

  constructor(walker: Walker, sinks: FeederSinks) {
    this.walker = walker;
    this.sinks = sinks;
    this.advance(EMPTY);
  }

  /** The walker returned: nothing more is expected. */
  get done(): boolean {
    return this.need === undefined;
  }

  /** What the walker waits for, and how many of its bytes arrived (for end-of-object checks). */
  waiting(): { readonly need: Need | undefined; readonly received: number } {
    const need = this.need;
    if (need?.kind === 'pass') return { need, received: need.length - this.passLeft };
    return { need, received: this.filled };
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.replay) {
        const replay = this.replay;
        this.replay = undefined;
        this.push(replay);
        continue;
      }
      i += this.step(chunk, i);
    }
    if (this.replay) {
      const replay = this.replay;
      this.replay = undefined;
      this.push(replay);
    }
  }

  /** Consumes bytes of chunk from i for the current need; returns how many. */
  private step(chunk: Uint8Array, i: number): number {
    const need = this.need;
    const available = chunk.length - i;
    if (need === undefined) {
      return available;
    }
    switch (need.kind) {
      case 'read': {
        if (this.filled === 0 && available >= need.length) {
          this.position += need.length;
          this.advance(chunk.subarray(i, i + need.length));
          return need.length;
        }
        // A fresh buffer per straddling read: the walker may still hold the previous one.
        if (this.filled === 0) this.pending = new Uint8Array(need.length);
        const take = Math.min(need.length - this.filled, available);
        this.pending.set(chunk.subarray(i, i + take), this.filled);
        this.filled += take;
        this.position += take;
        if (this.filled === need.length) {
          this.filled = 0;
          this.advance(this.pending);
        }
        return take;
      }
      case 'pass': {
        const take = Math.min(this.passLeft, available);
        if (need.keep) this.sinks.keep(chunk.subarray(i, i + take), this.position);
        this.position += take;
        this.passLeft -= take;
        if (this.passLeft === 0) this.advance(EMPTY);
        return take;
      }
      case 'rest': {
        this.sinks.rest(chunk.subarray(i), this.position);
        this.position += available;
        return available;
      }
      case 'unread':
        throw new Error('unreachable: unread is handled in advance()');
    }
  }

  /** Resumes the walker with `value` and settles on its next need (zero-length needs are met at once). */
  private advance(value: Uint8Array): void {
    let result = this.walker.next(value);
    for (;;) {
      if (result.done) {
        this.need = undefined;
        return;
      }
      const need = result.value;
      if (need.kind === 'unread') {
        this.position -= need.bytes.length;
        this.replay = this.replay ? concatBytes(need.bytes, this.replay) : Uint8Array.from(need.bytes);
        result = this.walker.next(EMPTY);
        continue;
      }
      if ((need.kind === 'read' || need.kind === 'pass') && need.length === 0) {
        result = this.walker.next(EMPTY);
        continue;
      }
      this.need = need;
      if (need.kind === 'pass') this.passLeft = need.length;
      return;
    }
  }
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
