// Group commit. With synchronous=FULL every COMMIT waits for the disk, and node:sqlite waits on the
// event loop, so one transaction per write would stall the node once per write. Instead the writes
// asked for during one turn of the event loop share one transaction and one sync: they run in the
// order they were asked, each in its own savepoint (a failing write is rolled back and rejected alone),
// and every one of them is acknowledged only after the COMMIT returned. Reads are not queued: they see
// what is committed, which is all a caller has been told is written.
import type { Settled, SqliteDb } from './sqlite-db.ts';

export interface GroupCommit {
  /** Runs work inside the next group's transaction; resolves after that transaction committed. */
  run<T>(work: () => T): Promise<T>;
  /** Commits what is queued now (before the connection closes). */
  flush(): void;
}

interface Queued {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export function createGroupCommit(db: Pick<SqliteDb, 'transactionOfEach'>): GroupCommit {
  let queue: Queued[] = [];
  let scheduled: NodeJS.Immediate | undefined;

  function flush(): void {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    const group = queue;
    queue = [];
    if (group.length === 0) return;
    let settled: Settled[];
    try {
      settled = db.transactionOfEach(group.map((q) => q.work));
    } catch (error) {
      for (const q of group) q.reject(error);
      return;
    }
    for (const [k, q] of group.entries()) {
      const outcome = settled[k];
      if (outcome?.ok === true) q.resolve(outcome.value);
      else q.reject(outcome ? outcome.error : new Error('group commit lost a write'));
    }
  }

  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        scheduled ??= setImmediate(flush);
      });
    },
    flush,
  };
}
