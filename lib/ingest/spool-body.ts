// Streams an object's bytes into a spool file while hashing them and feeding the header reader, with
// backpressure from the file (memory stays bounded whatever the size). After a failure the rest of the
// body is read and discarded, so a caller reading several objects from one stream (a STOW-RS multipart
// body) can go on with the next one.
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { HeaderReader } from '../dicom/parsed-instance.ts';
import { OutcomeError, type OutcomeCode } from '../outcome/outcome.ts';

export type SpoolResult =
  | { readonly kind: 'spooled'; readonly sha256: string; readonly size: number }
  | { readonly kind: 'failed'; readonly outcome: OutcomeCode; readonly reason: string };

async function closeFile(file: WriteStream): Promise<void> {
  if (file.closed) return;
  const closed = once(file, 'close');
  file.end();
  await closed;
}

function failureOf(error: unknown): { outcome: OutcomeCode; reason: string } {
  if (error instanceof OutcomeError) return { outcome: error.outcome, reason: error.message };
  return { outcome: 'cannotUnderstand', reason: 'the object could not be read' };
}

function spoolFailure(error: unknown): { outcome: OutcomeCode; reason: string } {
  const full = (error as NodeJS.ErrnoException).code === 'ENOSPC';
  return { outcome: full ? 'outOfResources' : 'processingFailure', reason: full ? 'the spool disk is full' : 'the spool file could not be written' };
}

export async function spoolBody(body: Readable, path: string, reader: HeaderReader, maxBytes: number): Promise<SpoolResult> {
  await mkdir(dirname(path), { recursive: true });
  const file = createWriteStream(path, { flags: 'wx' });
  const fileError = once(file, 'error').then(([error]) => { throw error as Error; });
  fileError.catch(() => undefined);
  const hash = createHash('sha256');
  let size = 0;
  let failure: { outcome: OutcomeCode; reason: string } | undefined;
  try {
    for await (const data of body) {
      if (failure) continue;
      const chunk = data as Buffer;
      size += chunk.length;
      if (size > maxBytes) {
        failure = { outcome: 'outOfResources', reason: `the object exceeds the largest accepted size (${maxBytes} bytes)` };
        continue;
      }
      try {
        reader.push(chunk);
      } catch (error) {
        failure = failureOf(error);
        continue;
      }
      hash.update(chunk);
      try {
        if (!file.write(chunk)) await Promise.race([once(file, 'drain'), fileError]);
      } catch (error) {
        failure = spoolFailure(error);
      }
    }
  } catch {
    failure ??= { outcome: 'cannotUnderstand', reason: 'the object stream ended with an error (truncated upload?)' };
  } finally {
    await closeFile(file).catch(() => undefined);
  }
  if (failure) return { kind: 'failed', ...failure };
  if (file.errored) return { kind: 'failed', ...spoolFailure(file.errored) };
  return { kind: 'spooled', sha256: hash.digest('hex'), size };
}
