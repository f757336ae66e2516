// Test helper: runs a header reader over bytes pushed in chunks of a given size.
import { createHeaderReader } from '../../lib/dicom/read-header.ts';
import type { HeaderReaderOptions, ParsedInstance } from '../../lib/dicom/parsed-instance.ts';

export const DEFAULT_OPTIONS: HeaderReaderOptions = { defaultCharacterSet: 'ISO_IR 6', maxHeaderBytes: 8 * 1024 * 1024 };

export function readInChunks(bytes: Uint8Array, chunkSize: number, options: Partial<HeaderReaderOptions> = {}, validate = true): ParsedInstance {
  const reader = createHeaderReader({ ...DEFAULT_OPTIONS, ...options }, { validate });
  for (let at = 0; at < bytes.length; at += chunkSize) reader.push(bytes.subarray(at, Math.min(bytes.length, at + chunkSize)));
  return reader.finish();
}
