// Drains the upload queue: at most `concurrency` transfers at a time, each row marked uploaded only after
// `send` resolves (the city confirmed it). A refusal (parseRefusal, not retryable) marks the row failed
// with the city's reason; any other error is transient: the row waits with backoff and full jitter, and
// the whole worker pauses by the same rule, so a city that is down is probed, not flooded. While the link
// is down the worker sleeps until it returns; when idle it sleeps until the next due row or a wake().
import { parseRefusal } from './edge-protocol.ts';
import { retryDelayMs } from './retry-delay.ts';
import type { QueueRow, UploadQueue } from './upload-queue.ts';

export interface UploadWorkerLog {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

export interface UploadWorkerDeps {
  readonly queue: UploadQueue;
  readonly concurrency: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Resolves once the city confirmed the transfer; rejects otherwise. */
  readonly send: (row: QueueRow) => Promise<void>;
  /** Whether the link to the city is up now, and a promise for when it next comes up. */
  readonly link: { up(): boolean; whenUp(): Promise<void> };
  readonly log: UploadWorkerLog;
  readonly onUploaded?: (row: QueueRow) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface UploadWorker {
  /** New work: look at the queue now. */
  wake(): void;
  /** Stops taking rows and waits for the transfers in flight. */
  stop(): Promise<void>;
}

/** Longest idle sleep: a safety net, the queue normally wakes the worker. */
const IDLE_MS = 5_000;

/** Permanent failure of one row that is not the city's refusal (its local copy is gone, say). */
export class UploadItemError extends Error {
  override readonly name = 'UploadItemError';
}

export function startUploadWorker(deps: UploadWorkerDeps): UploadWorker {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const inflight = new Map<string, Promise<void>>();
  let stopped = false;
  let failures = 0;
  let pausedUntil = 0;
  let wakeUp: (() => void) | undefined;

  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const done = () => { clearTimeout(timer); if (wakeUp === done) wakeUp = undefined; resolve(); };
    const timer = setTimeout(done, Math.max(0, ms));
    wakeUp = done;
  });

  const settle = (row: QueueRow, error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    const refusal = parseRefusal(message);
    if (error instanceof UploadItemError || (refusal && !refusal.retryable)) {
      const reason = refusal ? `${refusal.outcome}: ${refusal.reason}` : message;
      deps.queue.markFailed(row, reason);
      deps.log.warn({ event: 'edge.upload.failed', sopInstanceUid: row.sopInstanceUid, reason });
      return;
    }
    failures += 1;
    const wait = retryDelayMs(failures, deps.retryBaseMs, deps.retryMaxMs, random);
    pausedUntil = Math.max(pausedUntil, now() + wait);
    deps.queue.markRetry(row, message, now() + retryDelayMs(row.attempts + 1, deps.retryBaseMs, deps.retryMaxMs, random));
    deps.log.info({ event: 'edge.upload.retry', sopInstanceUid: row.sopInstanceUid, attempts: row.attempts + 1, error: message });
  };

  const start = (row: QueueRow): void => {
    const transfer = deps.send(row).then(() => {
      failures = 0;
      if (deps.queue.markUploaded(row, now())) deps.onUploaded?.(row);
    }, (error: unknown) => settle(row, error)).catch((error: unknown) => {
      deps.log.warn({ event: 'edge.upload.queue-error', error: (error as Error).message });
    }).finally(() => {
      inflight.delete(row.sopInstanceUid);
      wakeUp?.();
    });
    inflight.set(row.sopInstanceUid, transfer);
  };

  const step = async (): Promise<void> => {
    if (!deps.link.up()) {
      await Promise.race([deps.link.whenUp(), sleep(IDLE_MS)]);
      return;
    }
    const paused = pausedUntil - now();
    if (paused > 0) { await sleep(paused); return; }
    const free = deps.concurrency - inflight.size;
    if (free <= 0) { await sleep(IDLE_MS); return; }
    const busy = new Set(inflight.keys());
    const rows = deps.queue.takeDue(now(), free, busy);
    for (const row of rows) start(row);
    if (rows.length > 0) return;
    const next = deps.queue.nextDueAt(busy);
    await sleep(next === undefined ? IDLE_MS : Math.min(IDLE_MS, next - now()));
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await step();
      } catch (error) {
        deps.log.warn({ event: 'edge.upload.loop-error', error: (error as Error).message });
        await sleep(IDLE_MS);
      }
    }
  })();

  return {
    wake() { wakeUp?.(); },
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
      await Promise.allSettled([...inflight.values()]);
    },
  };
}
