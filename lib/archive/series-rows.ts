// Rows of series_instances: the head row (part 0) of each instance, which makes it visible, and the
// chunk rows (parts 1..n) of a payload too large for the head. Readers assemble an instance only when
// its head is present and every chunk carries the head's hash, so a write that stopped halfway (or a
// replacement in flight) is never seen as an instance.
import type { InstanceRecord } from './catalog.ts';
import type { IndexEngine } from '../index-model/index-engine.ts';
import type { Row } from '../index-model/table-model.ts';
import { ARCHIVE_TABLES } from './archive-schema.ts';
import { decodePayload, type InstancePayload } from './instance-payload.ts';
import { int, scanPartition, text } from './scan-partition.ts';

/** Clustering value for an instance without InstanceNumber: after every numbered one. */
export const NO_INSTANCE_NUMBER = 2 ** 31 - 1;

export interface InstanceKey {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly instanceNumber: number;
  readonly sopInstanceUid: string;
}

export function partitionOf(study: string, series: string): Record<string, string> {
  return { study_instance_uid: study, series_instance_uid: series };
}

export function keyColumns(key: InstanceKey, part: number): Row {
  return {
    study_instance_uid: key.studyInstanceUid, series_instance_uid: key.seriesInstanceUid,
    instance_number: key.instanceNumber, sop_instance_uid: key.sopInstanceUid, part,
  };
}

export function headRow(key: InstanceKey, record: InstanceRecord, inline: string | undefined, chunkCount: number): Row {
  return {
    ...keyColumns(key, 0),
    sha256: record.sha256, size: record.size, sop_class_uid: record.sopClassUid,
    transfer_syntax_uid: record.transferSyntaxUid, received_at: record.receivedAt, source: record.source,
    parts: chunkCount, payload: inline ?? null,
  };
}

export function chunkRow(key: InstanceKey, sha256: string, part: number, chunk: string): Row {
  return { ...keyColumns(key, part), sha256, payload: chunk };
}

function assemble(head: Row, chunks: readonly Row[]): InstanceRecord | undefined {
  const sha256 = text(head, 'sha256');
  const parts = int(head, 'parts');
  let payload = text(head, 'payload');
  if (parts > 0) {
    const own = chunks.filter((c) => text(c, 'sha256') === sha256 && int(c, 'part') <= parts);
    if (own.length !== parts) return undefined;
    payload = own.sort((a, b) => int(a, 'part') - int(b, 'part')).map((c) => text(c, 'payload')).join('');
  }
  const receivedAt = head.received_at;
  // The payload (header JSON, frame and bulk ranges) is decoded on first use: retrieving a study needs
  // only the hashes, and parsing 600 headers it never reads cost about half of a study retrieve.
  let decoded: InstancePayload | undefined;
  const payloadText = payload;
  const lazy = (): InstancePayload => (decoded ??= decodePayload(payloadText));
  return {
    studyInstanceUid: text(head, 'study_instance_uid'), seriesInstanceUid: text(head, 'series_instance_uid'),
    sopInstanceUid: text(head, 'sop_instance_uid'), sopClassUid: text(head, 'sop_class_uid'),
    transferSyntaxUid: text(head, 'transfer_syntax_uid'), sha256, size: int(head, 'size'),
    get frames() { return lazy().frames; },
    get bulkData() { return lazy().bulkData; },
    get dataset() { return lazy().dataset; },
    receivedAt: receivedAt instanceof Date ? receivedAt : new Date(0), source: text(head, 'source'),
  };
}

/** Groups rows in clustering order (head, then its chunks) into visible instances. */
async function* assembleRows(rows: AsyncIterable<Row>): AsyncGenerator<InstanceRecord> {
  let head: Row | undefined;
  let chunks: Row[] = [];
  const flush = () => (head ? assemble(head, chunks) : undefined);
  for await (const row of rows) {
    if (int(row, 'part') === 0) {
      const done = flush();
      if (done) yield done;
      head = row;
      chunks = [];
    } else if (head && text(head, 'sop_instance_uid') === text(row, 'sop_instance_uid') && int(head, 'instance_number') === int(row, 'instance_number')) {
      chunks.push(row);
    }
  }
  const last = flush();
  if (last) yield last;
}

/** Every visible instance of a series, in InstanceNumber then SOP Instance UID order: one partition. */
export async function readSeriesInstances(engine: IndexEngine, study: string, series: string): Promise<InstanceRecord[]> {
  const out: InstanceRecord[] = [];
  for await (const record of assembleRows(scanPartition(engine, ARCHIVE_TABLES.seriesInstances, partitionOf(study, series)))) out.push(record);
  return out;
}

/** One instance by its key, or undefined when it is not (or not yet) visible. */
export async function readInstance(engine: IndexEngine, key: InstanceKey): Promise<InstanceRecord | undefined> {
  const rows = scanPartition(engine, ARCHIVE_TABLES.seriesInstances, partitionOf(key.studyInstanceUid, key.seriesInstanceUid), {
    prefix: [key.instanceNumber, key.sopInstanceUid],
  });
  for await (const record of assembleRows(rows)) return record;
  return undefined;
}
