// The archive as a node composes it (RunningNode.archive): what the DICOMweb routes, the DIMSE SCP and
// the import CLI use. Built by services/archive/open-archive.ts.
import type { Readable } from 'node:stream';
import type { BlobStore } from '../blob-store/blob-store.ts';
import type { IngestContext, IngestResult } from '../ingest/ingest-types.ts';
import type { Catalog } from './catalog.ts';

export interface NodeArchive {
  readonly catalog: Catalog;
  readonly blobs: BlobStore;
  /** The one ingest path with this node's settings and metrics (lib/ingest/ingest-instance.ts). */
  ingest(body: Readable, context: IngestContext): Promise<IngestResult>;
  /** Where ingest spools objects; emptied at start. */
  readonly spoolDir: string;
}
