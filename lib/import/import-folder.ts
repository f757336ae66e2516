// Imports a folder tree through the one ingest path: every file is streamed into ingest (source
// `import`), results are counted into a summary, progress is reported after each file.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { IngestContext, IngestResult } from '../ingest/ingest-types.ts';
import { addResult, emptySummary, rejectedCount, type ImportSummary } from './import-summary.ts';
import type { ProgressState } from './progress-line.ts';
import { walkFiles } from './walk-files.ts';

export type Ingest = (body: Readable, context: IngestContext) => Promise<IngestResult>;

export interface ImportOptions {
  readonly ingest: Ingest;
  /** Files ingested at once: a little overlap of reading and indexing, no more (the index has one writer). */
  readonly concurrency: number;
  readonly onFile?: (file: string, result: IngestResult, state: ProgressState) => void;
}

async function ingestFile(ingest: Ingest, file: string): Promise<IngestResult> {
  try {
    return await ingest(createReadStream(file), { source: 'import', origin: 'yunying-import' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { status: 'rejected', outcome: 'processingFailure', reason: code ? `the file could not be read (${code})` : (error as Error).message, warnings: [] };
  }
}

export async function importFolder(root: string, options: ImportOptions): Promise<ImportSummary> {
  // Walked once to count (for the progress bar), once to import: file names are cheap, objects are not.
  let total = 0;
  for await (const file of walkFiles(root)) { void file; total += 1; }
  const summary = emptySummary();
  const running = new Set<Promise<void>>();
  for await (const file of walkFiles(root)) {
    const job = ingestFile(options.ingest, file).then((result) => {
      addResult(summary, file, result);
      options.onFile?.(file, result, {
        done: summary.files, total, stored: summary.stored, duplicates: summary.duplicates, rejected: rejectedCount(summary),
      });
    });
    const tracked = job.finally(() => running.delete(tracked));
    running.add(tracked);
    if (running.size >= options.concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  return summary;
}
