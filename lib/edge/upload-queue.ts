// The edge's durable upload queue (前置机上传队列): one row per SOP Instance UID in a SQLite file of its
// own (WAL, synchronous=FULL), so a row committed before the C-STORE success survives a crash or a power
// cut, and the uploader picks up where it stopped. Rows go pending -> uploaded (the city confirmed) or
// pending -> failed (the city refused for good); a transient failure keeps the row pending with a later
// `next_attempt_at`; a failed row goes back to pending when the PACS sends the same object again or the
// operator asks (POST /api/edge/retry-failed). Smaller tables: `staged` (an instance being indexed, see queueing-catalog.ts),
// `studies` (last arrival and whether the study was reported complete to the city) and `thumbnails`
// (series whose thumbnail the city has).
// node:sqlite is synchronous: every method below is one short statement or transaction.
import { DatabaseSync, type SQLInputValue, type SQLOutputValue } from 'node:sqlite';

export type UploadState = 'pending' | 'uploaded' | 'failed';

/** What identifies one upload: the instance and the bytes it is stored with. */
export interface QueueItem {
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sha256: string;
  readonly size: number;
}

export interface QueueRow extends QueueItem {
  readonly state: UploadState;
  readonly attempts: number;
  /** Unix milliseconds. */
  readonly nextAttemptAt: number;
  readonly enqueuedAt: number;
  readonly uploadedAt?: number;
  readonly lastError?: string;
}

export interface QueueStatus {
  readonly queueDepth: number;
  readonly oldestPendingSeconds: number;
  readonly failedItems: number;
  readonly lastUploadAt?: number;
  readonly uploadedBytesTotal: number;
}

export interface StableStudy {
  readonly studyInstanceUid: string;
  readonly lastArrivalAt: number;
}

export interface UploadQueue {
  /** Records that an instance is about to be indexed (before the catalog write). */
  stage(item: QueueItem): void;
  /** Instances staged but never committed (a crash between the two writes). */
  staged(): QueueItem[];
  dropStaged(sopInstanceUid: string): void;
  /** Drops the staged row and, unless `queue` is false, enqueues the item, in one transaction. */
  commit(item: QueueItem, queue: boolean, now: number): 'queued' | 'unchanged';
  /** New SOP: a pending row. Same SOP, same bytes: nothing. Same SOP, other bytes: pending again. */
  enqueue(item: QueueItem, now: number): 'queued' | 'unchanged';
  get(sopInstanceUid: string): QueueRow | undefined;
  /** Pending rows due at `now`, oldest due first, leaving out `busy` SOP Instance UIDs. */
  takeDue(now: number, limit: number, busy: ReadonlySet<string>): QueueRow[];
  /** The earliest next_attempt_at of a pending row not in `busy`. */
  nextDueAt(busy: ReadonlySet<string>): number | undefined;
  /** False when the row meanwhile holds other bytes (re-queued by a replacement). */
  markUploaded(item: QueueItem, now: number): boolean;
  markRetry(item: QueueItem, error: string, nextAttemptAt: number): void;
  markFailed(item: QueueItem, reason: string): void;
  /** Every failed row pending again with a fresh attempt count (the operator fixed the cause); returns how many. */
  retryFailed(now: number): number;
  /** Pending again with a fresh attempt count (the city says it misses them). */
  requeue(sopInstanceUids: readonly string[], now: number): number;
  status(now: number): QueueStatus;
  /** The first failed rows, for the operator (UIDs and reasons only). */
  failures(limit: number): { readonly sopInstanceUid: string; readonly reason: string; readonly attempts: number }[];
  /** Unreported studies without an arrival for `stableMs` whose every row is uploaded. */
  stableStudies(now: number, stableMs: number, limit: number): StableStudy[];
  uploadedInstances(studyInstanceUid: string): string[];
  /** Series of the study whose thumbnail was not sent yet. */
  seriesWithoutThumbnail(studyInstanceUid: string): string[];
  markThumbnail(studyInstanceUid: string, seriesInstanceUid: string, now: number): void;
  /** Marks the study reported unless an instance arrived after `lastArrivalAt`. */
  markReported(study: StableStudy, now: number): void;
  /** Uploaded rows whose local copy is still kept and whose upload is older than `cutoff`. */
  retentionDue(cutoff: number, limit: number): QueueRow[];
  markLocalRemoved(sopInstanceUid: string, now: number): void;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS uploads (
  sop_uid TEXT PRIMARY KEY, study_uid TEXT NOT NULL, series_uid TEXT NOT NULL, sha256 TEXT NOT NULL,
  size INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL, uploaded_at INTEGER, last_error TEXT, local_removed_at INTEGER);
CREATE INDEX IF NOT EXISTS uploads_due ON uploads (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS uploads_study ON uploads (study_uid);
CREATE INDEX IF NOT EXISTS uploads_retention ON uploads (state, local_removed_at, uploaded_at);
CREATE TABLE IF NOT EXISTS staged (
  sop_uid TEXT PRIMARY KEY, study_uid TEXT NOT NULL, series_uid TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS studies (study_uid TEXT PRIMARY KEY, last_arrival_at INTEGER NOT NULL, reported_at INTEGER);
CREATE TABLE IF NOT EXISTS thumbnails (series_uid TEXT PRIMARY KEY, study_uid TEXT NOT NULL, sent_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`;

type Rec = Record<string, SQLOutputValue>;
const num = (value: SQLOutputValue | undefined): number => Number(value ?? 0);
const str = (value: SQLOutputValue | undefined): string => String(value ?? '');

function itemOf(r: Rec): QueueItem {
  return { sopInstanceUid: str(r.sop_uid), studyInstanceUid: str(r.study_uid), seriesInstanceUid: str(r.series_uid), sha256: str(r.sha256), size: num(r.size) };
}

function rowOf(r: Rec): QueueRow {
  return {
    ...itemOf(r), state: str(r.state) as UploadState, attempts: num(r.attempts), nextAttemptAt: num(r.next_attempt_at),
    enqueuedAt: num(r.enqueued_at),
    ...(r.uploaded_at !== null && r.uploaded_at !== undefined ? { uploadedAt: num(r.uploaded_at) } : {}),
    ...(r.last_error !== null && r.last_error !== undefined ? { lastError: str(r.last_error) } : {}),
  };
}

export function openUploadQueue(file: string): UploadQueue {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA journal_mode = WAL');
  // FULL: a committed row survives a power cut, which is what the C-STORE success promises.
  db.exec('PRAGMA synchronous = FULL');
  db.exec(SCHEMA);
  const run = (sql: string, ...params: SQLInputValue[]) => Number(db.prepare(sql).run(...params).changes);
  const one = (sql: string, ...params: SQLInputValue[]) => db.prepare(sql).get(...params);
  const all = (sql: string, ...params: SQLInputValue[]) => db.prepare(sql).all(...params);
  const transaction = <T>(work: () => T): T => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };
  const counter = (name: string) => one('SELECT value FROM counters WHERE name = ?', name)?.value;
  const addCounter = (name: string, value: number, replace: boolean) => run(
    `INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = ${replace ? 'excluded.value' : 'value + excluded.value'}`, name, value);
  const touchStudy = (study: string, now: number) => run(
    'INSERT INTO studies (study_uid, last_arrival_at) VALUES (?, ?) ON CONFLICT (study_uid) DO UPDATE SET last_arrival_at = excluded.last_arrival_at, reported_at = NULL', study, now);

  const enqueue = (item: QueueItem, now: number): 'queued' | 'unchanged' => {
    const existing = one('SELECT sha256, state FROM uploads WHERE sop_uid = ?', item.sopInstanceUid);
    if (existing && existing.sha256 === item.sha256 && existing.state === 'failed') {
      // Sent again after the city refused it (say, the edge was not in the city's topology yet): try again.
      run(`UPDATE uploads SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, local_removed_at = NULL
        WHERE sop_uid = ?`, now, item.sopInstanceUid);
      touchStudy(item.studyInstanceUid, now);
      return 'queued';
    }
    if (existing && existing.sha256 === item.sha256) {
      // Received again after retention removed the local copy: the new copy falls under retention too.
      run('UPDATE uploads SET local_removed_at = NULL WHERE sop_uid = ? AND local_removed_at IS NOT NULL', item.sopInstanceUid);
      return 'unchanged';
    }
    run(`INSERT INTO uploads (sop_uid, study_uid, series_uid, sha256, size, state, attempts, next_attempt_at, enqueued_at)
      VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (sop_uid) DO UPDATE SET study_uid = excluded.study_uid,
      series_uid = excluded.series_uid, sha256 = excluded.sha256, size = excluded.size, state = 'pending', attempts = 0,
      next_attempt_at = excluded.next_attempt_at, enqueued_at = excluded.enqueued_at, uploaded_at = NULL, last_error = NULL,
      local_removed_at = NULL`, item.sopInstanceUid, item.studyInstanceUid, item.seriesInstanceUid, item.sha256, item.size, now, now);
    touchStudy(item.studyInstanceUid, now);
    return 'queued';
  };

  return {
    stage(item) {
      run('INSERT OR REPLACE INTO staged (sop_uid, study_uid, series_uid, sha256, size) VALUES (?, ?, ?, ?, ?)',
        item.sopInstanceUid, item.studyInstanceUid, item.seriesInstanceUid, item.sha256, item.size);
    },
    staged: () => all('SELECT * FROM staged').map(itemOf),
    dropStaged(sop) { run('DELETE FROM staged WHERE sop_uid = ?', sop); },
    commit(item, queue, now) {
      return transaction(() => {
        run('DELETE FROM staged WHERE sop_uid = ? AND sha256 = ?', item.sopInstanceUid, item.sha256);
        return queue ? enqueue(item, now) : 'unchanged';
      });
    },
    enqueue: (item, now) => transaction(() => enqueue(item, now)),
    get(sop) {
      const r = one('SELECT * FROM uploads WHERE sop_uid = ?', sop);
      return r ? rowOf(r) : undefined;
    },
    takeDue(now, limit, busy) {
      const rows = all(`SELECT * FROM uploads WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, enqueued_at LIMIT ?`,
        now, limit + busy.size).map(rowOf);
      return rows.filter((r) => !busy.has(r.sopInstanceUid)).slice(0, limit);
    },
    nextDueAt(busy) {
      const rows = all(`SELECT sop_uid, next_attempt_at FROM uploads WHERE state = 'pending' ORDER BY next_attempt_at LIMIT ?`, busy.size + 1);
      const next = rows.find((r) => !busy.has(str(r.sop_uid)));
      return next ? num(next.next_attempt_at) : undefined;
    },
    markUploaded(item, now) {
      return transaction(() => {
        const changed = run(`UPDATE uploads SET state = 'uploaded', uploaded_at = ?, last_error = NULL
          WHERE sop_uid = ? AND sha256 = ? AND state = 'pending'`, now, item.sopInstanceUid, item.sha256);
        if (changed === 0) return false;
        addCounter('uploaded_bytes', item.size, false);
        addCounter('last_upload_at', now, true);
        return true;
      });
    },
    markRetry(item, error, nextAttemptAt) {
      run(`UPDATE uploads SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE sop_uid = ? AND sha256 = ? AND state = 'pending'`,
        error, nextAttemptAt, item.sopInstanceUid, item.sha256);
    },
    markFailed(item, reason) {
      run(`UPDATE uploads SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE sop_uid = ? AND sha256 = ? AND state = 'pending'`,
        reason, item.sopInstanceUid, item.sha256);
    },
    requeue(sops, now) {
      return transaction(() => sops.reduce((n, sop) => n + run(
        `UPDATE uploads SET state = 'pending', attempts = 0, next_attempt_at = ?, uploaded_at = NULL WHERE sop_uid = ?`, now, sop), 0));
    },
    retryFailed(now) {
      return transaction(() => {
        const studies = all(`SELECT DISTINCT study_uid FROM uploads WHERE state = 'failed'`).map((r) => str(r.study_uid));
        const n = run(`UPDATE uploads SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL WHERE state = 'failed'`, now);
        for (const study of studies) touchStudy(study, now);
        return n;
      });
    },
    status(now) {
      const pending = one(`SELECT COUNT(*) AS n, MIN(enqueued_at) AS oldest FROM uploads WHERE state = 'pending'`);
      const failed = one(`SELECT COUNT(*) AS n FROM uploads WHERE state = 'failed'`);
      const oldest = pending?.oldest;
      const last = counter('last_upload_at');
      return {
        queueDepth: num(pending?.n),
        oldestPendingSeconds: oldest === null || oldest === undefined ? 0 : Math.max(0, (now - num(oldest)) / 1000),
        failedItems: num(failed?.n),
        ...(last !== undefined ? { lastUploadAt: num(last) } : {}),
        uploadedBytesTotal: num(counter('uploaded_bytes')),
      };
    },
    failures(limit) {
      return all(`SELECT sop_uid, last_error, attempts FROM uploads WHERE state = 'failed' ORDER BY enqueued_at LIMIT ?`, limit)
        .map((r) => ({ sopInstanceUid: str(r.sop_uid), reason: str(r.last_error), attempts: num(r.attempts) }));
    },
    stableStudies(now, stableMs, limit) {
      return all(`SELECT study_uid, last_arrival_at FROM studies s WHERE reported_at IS NULL AND last_arrival_at <= ?
        AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.study_uid = s.study_uid AND u.state <> 'uploaded')
        ORDER BY last_arrival_at LIMIT ?`, now - stableMs, limit)
        .map((r) => ({ studyInstanceUid: str(r.study_uid), lastArrivalAt: num(r.last_arrival_at) }));
    },
    uploadedInstances: (study) => all(`SELECT sop_uid FROM uploads WHERE study_uid = ? AND state = 'uploaded' ORDER BY sop_uid`, study).map((r) => str(r.sop_uid)),
    seriesWithoutThumbnail: (study) => all(`SELECT DISTINCT series_uid FROM uploads u WHERE study_uid = ?
      AND NOT EXISTS (SELECT 1 FROM thumbnails t WHERE t.series_uid = u.series_uid) ORDER BY series_uid`, study).map((r) => str(r.series_uid)),
    markThumbnail(study, series, now) {
      run('INSERT OR REPLACE INTO thumbnails (series_uid, study_uid, sent_at) VALUES (?, ?, ?)', series, study, now);
    },
    markReported(study, now) {
      run('UPDATE studies SET reported_at = ? WHERE study_uid = ? AND last_arrival_at <= ?', now, study.studyInstanceUid, study.lastArrivalAt);
    },
    retentionDue(cutoff, limit) {
      return all(`SELECT * FROM uploads WHERE state = 'uploaded' AND local_removed_at IS NULL AND uploaded_at <= ? ORDER BY uploaded_at LIMIT ?`,
        cutoff, limit).map(rowOf);
    },
    markLocalRemoved(sop, now) { run('UPDATE uploads SET local_removed_at = ? WHERE sop_uid = ?', now, sop); },
    close() { if (db.isOpen) db.close(); },
  };
}
