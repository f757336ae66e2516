// The edge's durable upload queue (lib/edge/upload-queue.ts) and what drives it: rows survive reopening
// the file, the state transitions, backoff with full jitter stays in its bounds, the oldest-pending age,
// study-complete reports, the staged-row reconciliation and the upload worker's handling of transient
// failures and refusals.
import test from 'ava';
import { join } from 'node:path';
import { refusalMessage } from '../../lib/edge/edge-protocol.ts';
import { reportStableStudies } from '../../lib/edge/report-studies.ts';
import { retryDelayMs } from '../../lib/edge/retry-delay.ts';
import { openUploadQueue, type QueueItem, type QueueRow, type UploadQueue } from '../../lib/edge/upload-queue.ts';
import { startUploadWorker } from '../../lib/edge/upload-worker.ts';
import { tempDir, waitFor } from '../helpers/processes.ts';

let counter = 0;
function item(study = 'study-1', over: Partial<QueueItem> = {}): QueueItem {
  counter += 1;
  return { sopInstanceUid: `1.2.3.${counter}`, studyInstanceUid: study, seriesInstanceUid: `${study}.1`, sha256: 'a'.repeat(64), size: 100, ...over };
}

function fresh(t: { teardown(fn: () => void): void }): { queue: UploadQueue; file: string } {
  const file = join(tempDir('edge-queue'), 'edge-queue.sqlite');
  const queue = openUploadQueue(file);
  t.teardown(() => queue.close());
  return { queue, file };
}

const quiet = { info: () => undefined, warn: () => undefined };

test('rows survive closing and reopening the file, with their state and counters', (t) => {
  const { queue, file } = fresh(t);
  const a = item();
  const b = item();
  t.is(queue.enqueue(a, 1000), 'queued');
  t.is(queue.enqueue(b, 2000), 'queued');
  t.true(queue.markUploaded(a, 3000));
  queue.close();
  const again = openUploadQueue(file);
  t.teardown(() => again.close());
  t.is(again.get(a.sopInstanceUid)?.state, 'uploaded');
  t.is(again.get(b.sopInstanceUid)?.state, 'pending');
  t.like(again.status(4000), { queueDepth: 1, failedItems: 0, lastUploadAt: 3000, uploadedBytesTotal: 100 });
});

test('same SOP and bytes is no new work; other bytes queue it again; uploaded rows leave the queue', (t) => {
  const { queue } = fresh(t);
  const a = item();
  queue.enqueue(a, 1000);
  t.true(queue.markUploaded(a, 1500));
  t.is(queue.enqueue(a, 2000), 'unchanged');
  t.is(queue.get(a.sopInstanceUid)?.state, 'uploaded');
  const replaced = { ...a, sha256: 'b'.repeat(64), size: 200 };
  t.is(queue.enqueue(replaced, 3000), 'queued');
  t.like(queue.get(a.sopInstanceUid), { state: 'pending', sha256: 'b'.repeat(64), attempts: 0, enqueuedAt: 3000 });
  // A confirmation of the old bytes, arriving late, does not mark the new ones uploaded.
  t.false(queue.markUploaded(a, 3500));
  t.is(queue.get(a.sopInstanceUid)?.state, 'pending');
  t.true(queue.markUploaded(replaced, 3600));
});

test('retries push the row back; refusals fail it; requeue makes it pending again', (t) => {
  const { queue } = fresh(t);
  const a = item();
  const b = item();
  queue.enqueue(a, 1000);
  queue.enqueue(b, 1000);
  queue.markRetry(a, 'timeout', 5000);
  t.like(queue.get(a.sopInstanceUid), { state: 'pending', attempts: 1, lastError: 'timeout', nextAttemptAt: 5000 });
  t.deepEqual(queue.takeDue(2000, 10, new Set()).map((r) => r.sopInstanceUid), [b.sopInstanceUid]);
  t.deepEqual(queue.takeDue(2000, 10, new Set([b.sopInstanceUid])), []);
  t.is(queue.nextDueAt(new Set([b.sopInstanceUid])), 5000);
  t.deepEqual(queue.takeDue(5000, 10, new Set()).map((r) => r.sopInstanceUid).sort(), [a.sopInstanceUid, b.sopInstanceUid].sort());
  queue.markFailed(b, 'duplicateConflict: other bytes');
  t.like(queue.status(6000), { queueDepth: 1, failedItems: 1 });
  t.deepEqual(queue.failures(5), [{ sopInstanceUid: b.sopInstanceUid, reason: 'duplicateConflict: other bytes', attempts: 1 }]);
  t.is(queue.requeue([b.sopInstanceUid], 7000), 1);
  t.like(queue.get(b.sopInstanceUid), { state: 'pending', attempts: 0, nextAttemptAt: 7000 });
});

test('a failed row is tried again when the PACS sends the same object again, or when the operator asks', (t) => {
  const { queue } = fresh(t);
  const a = item();
  const b = item();
  for (const x of [a, b]) queue.enqueue(x, 1000);
  queue.markFailed(a, 'notAuthorized: unknown edge');
  queue.markFailed(b, 'notAuthorized: unknown edge');
  t.is(queue.enqueue({ ...a }, 2000), 'queued', 'the same bytes again: pending again');
  t.like(queue.get(a.sopInstanceUid), { state: 'pending', attempts: 0, nextAttemptAt: 2000 });
  t.is(queue.get(a.sopInstanceUid)?.lastError, undefined);
  t.like(queue.status(2000), { queueDepth: 1, failedItems: 1 });
  t.is(queue.retryFailed(3000), 1, 'the operator\'s retry takes the one still failed');
  t.like(queue.get(b.sopInstanceUid), { state: 'pending', attempts: 0, nextAttemptAt: 3000 });
  t.like(queue.status(3000), { queueDepth: 2, failedItems: 0 });
  t.is(queue.retryFailed(4000), 0);
});

test('the oldest pending age counts from the oldest waiting row; 0 when nothing waits', (t) => {
  const { queue } = fresh(t);
  t.is(queue.status(10_000).oldestPendingSeconds, 0);
  const a = item();
  queue.enqueue(a, 10_000);
  queue.enqueue(item(), 12_000);
  t.is(queue.status(25_000).oldestPendingSeconds, 15);
  queue.markUploaded(a, 26_000);
  t.is(queue.status(27_000).oldestPendingSeconds, 15);
});

test('backoff has full jitter within [0, min(max, base * 2^(n-1))]', (t) => {
  t.is(retryDelayMs(1, 1000, 60_000, () => 0.999999), 999);
  t.is(retryDelayMs(3, 1000, 60_000, () => 0.999999), 3999);
  t.is(retryDelayMs(30, 1000, 60_000, () => 0.999999), 59_999);
  t.is(retryDelayMs(5, 1000, 60_000, () => 0), 0);
  for (let n = 1; n <= 12; n++) {
    const ceiling = Math.min(60_000, 1000 * 2 ** (n - 1));
    const samples = Array.from({ length: 200 }, () => retryDelayMs(n, 1000, 60_000));
    t.true(samples.every((d) => d >= 0 && d < ceiling), `attempt ${n}`);
    // Jitter: not all the same.
    t.true(new Set(samples).size > 10);
  }
});

test('staged rows are listed until committed; a conflict commits no row', (t) => {
  const { queue } = fresh(t);
  const a = item();
  const b = item();
  queue.stage(a);
  queue.stage(b);
  t.deepEqual(queue.staged().map((s) => s.sopInstanceUid).sort(), [a.sopInstanceUid, b.sopInstanceUid].sort());
  t.is(queue.commit(a, true, 1000), 'queued');
  t.is(queue.commit(b, false, 1000), 'unchanged');
  t.deepEqual(queue.staged(), []);
  t.truthy(queue.get(a.sopInstanceUid));
  t.is(queue.get(b.sopInstanceUid), undefined);
});

test('a study is reported once stable and uploaded; missing instances go back into the queue; a new arrival reports it again', async (t) => {
  const { queue } = fresh(t);
  const a = item('s');
  const b = item('s');
  queue.enqueue(a, 1000);
  queue.enqueue(b, 1000);
  const reports: string[][] = [];
  let missing: string[] = [b.sopInstanceUid];
  let clock = 1500;
  const deps = {
    queue, stableMs: 1000, now: () => clock,
    reportComplete: (_study: string, sops: readonly string[]) => {
      reports.push([...sops]);
      return Promise.resolve({ complete: missing.length === 0, missing });
    },
  };
  queue.markUploaded(a, 1100);
  t.deepEqual(await reportStableStudies(deps), { reported: 0, requeued: 0 }, 'not stable yet, and b is still pending');
  clock = 2500;
  t.deepEqual(await reportStableStudies(deps), { reported: 0, requeued: 0 }, 'stable, but b is still pending');
  queue.markUploaded(b, 2600);
  t.deepEqual(await reportStableStudies(deps), { reported: 0, requeued: 1 });
  t.is(queue.get(b.sopInstanceUid)?.state, 'pending');
  queue.markUploaded(b, 2700);
  missing = [];
  t.deepEqual(await reportStableStudies(deps), { reported: 1, requeued: 0 });
  t.deepEqual(await reportStableStudies(deps), { reported: 0, requeued: 0 }, 'reported once');
  const c = item('s');
  queue.enqueue(c, 2800);
  queue.markUploaded(c, 2900);
  clock = 4000;
  t.deepEqual(await reportStableStudies(deps), { reported: 1, requeued: 0 });
  t.is(reports.at(-1)?.length, 3);
});

test('the worker retries transient failures, fails refusals, and waits while the link is down', async (t) => {
  const { queue } = fresh(t);
  const flaky = item();
  const refused = item();
  const fine = item();
  for (const i of [flaky, refused, fine]) queue.enqueue(i, Date.now());
  const attempts = new Map<string, number>();
  let linkUp = false;
  let release: () => void = () => undefined;
  const worker = startUploadWorker({
    queue, concurrency: 2, retryBaseMs: 20, retryMaxMs: 50, log: quiet,
    link: { up: () => linkUp, whenUp: () => new Promise<void>((resolve) => { release = resolve; }) },
    send: (row: QueueRow) => {
      const n = (attempts.get(row.sopInstanceUid) ?? 0) + 1;
      attempts.set(row.sopInstanceUid, n);
      if (row.sopInstanceUid === refused.sopInstanceUid) {
        return Promise.reject(new Error(refusalMessage({ retryable: false, outcome: 'duplicateConflict', reason: 'other bytes' })));
      }
      if (row.sopInstanceUid === flaky.sopInstanceUid && n < 3) return Promise.reject(new Error('no responders'));
      return Promise.resolve();
    },
  });
  t.teardown(() => worker.stop());
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.is(attempts.size, 0, 'nothing is sent while the link is down');
  linkUp = true;
  release();
  await waitFor('the queue to settle', () => Promise.resolve(queue.status(Date.now()).queueDepth === 0 ? true : undefined), 5000, 20);
  t.is(queue.get(fine.sopInstanceUid)?.state, 'uploaded');
  t.like(queue.get(flaky.sopInstanceUid), { state: 'uploaded', attempts: 2 });
  t.like(queue.get(refused.sopInstanceUid), { state: 'failed', lastError: 'duplicateConflict: other bytes' });
  t.is(attempts.get(refused.sopInstanceUid), 1, 'a refusal is not retried');
});
