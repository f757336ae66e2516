// Catalog.recordInstance: the duplicate policy and the durability order of the index.
// 1. The instance row (instance_by_uid) is claimed with insertIfNotExists: of two concurrent ingests of
//    one SOP Instance UID exactly one wins. The row alone is invisible to readers.
// 2. writeVisible() writes the payload chunks, then one batch with the head row: from then on the
//    instance is visible everywhere at once.
// A failure after the claim leaves an invisible claim; the same bytes sent again complete it, other bytes
// are refused as a conflict while the claim is recent (another ingest may still be writing it) and take
// it over once it is stale.
import type { InstanceRecord, RecordOutcome } from './catalog.ts';
import type { IndexEngine } from '../index-model/index-engine.ts';
import type { Row } from '../index-model/table-model.ts';
import { firstInteger } from '../dicom-query/dicom-values.ts';
import { ARCHIVE_TABLES } from './archive-schema.ts';
import { TAG } from './level-attributes.ts';
import { int, text } from './scan-partition.ts';
import { keyColumns, NO_INSTANCE_NUMBER, type InstanceKey } from './series-rows.ts';
import { removeVisible, writeVisible, type ArchiveLayout } from './write-visible.ts';

/** A claim without a visible instance older than this is taken as abandoned. */
export const STALE_CLAIM_MS = 10 * 60 * 1000;

export function instanceKeyOf(record: InstanceRecord): InstanceKey {
  const n = firstInteger(record.dataset, TAG.InstanceNumber);
  return {
    studyInstanceUid: record.studyInstanceUid, seriesInstanceUid: record.seriesInstanceUid, sopInstanceUid: record.sopInstanceUid,
    instanceNumber: n !== undefined && n >= -(2 ** 31) && n < NO_INSTANCE_NUMBER ? n : NO_INSTANCE_NUMBER,
  };
}

export function keyFromInstanceRow(row: Row): InstanceKey {
  return {
    studyInstanceUid: text(row, 'study_instance_uid'), seriesInstanceUid: text(row, 'series_instance_uid'),
    sopInstanceUid: text(row, 'sop_instance_uid'), instanceNumber: int(row, 'instance_number'),
  };
}

function instanceRow(record: InstanceRecord, key: InstanceKey, now: Date): Row {
  return {
    sop_instance_uid: key.sopInstanceUid, study_instance_uid: key.studyInstanceUid, series_instance_uid: key.seriesInstanceUid,
    instance_number: key.instanceNumber, sha256: record.sha256, size: record.size, claimed_at: now,
  };
}

export async function readHead(engine: IndexEngine, key: InstanceKey): Promise<Row | undefined> {
  return engine.get(ARCHIVE_TABLES.seriesInstances, keyColumns(key, 0));
}

export interface RecordContext {
  readonly engine: IndexEngine;
  readonly layout: ArchiveLayout;
  /** The claim rides in the visibility batch instead of a conditional insert of its own: right for
   * SQLite, whose one process serializes ingest per study with its lock (one transaction, and one
   * fsync, fewer per instance). */
  readonly claimInBatch: boolean;
  readonly now: () => Date;
}

/** Decides what to do when the SOP Instance UID is already claimed. */
async function recordOverExisting(ctx: RecordContext, record: InstanceRecord, existing: Row, replace: boolean): Promise<RecordOutcome> {
  const { engine } = ctx;
  const key = instanceKeyOf(record);
  const existingKey = keyFromInstanceRow(existing);
  const head = await readHead(engine, existingKey);
  const visibleSha = head ? text(head, 'sha256') : undefined;
  if (visibleSha === record.sha256) {
    if (text(existing, 'sha256') !== record.sha256) await engine.write([{ kind: 'put', table: ARCHIVE_TABLES.instanceByUid, row: instanceRow(record, key, ctx.now()) }]);
    return { kind: 'duplicate' };
  }
  if (visibleSha === undefined) {
    const claimedAt = existing.claimed_at instanceof Date ? existing.claimed_at.getTime() : 0;
    const mine = text(existing, 'sha256') === record.sha256;
    if (!mine && ctx.now().getTime() - claimedAt < STALE_CLAIM_MS) return { kind: 'conflict', existingSha256: text(existing, 'sha256') };
    if (!mine) await engine.write([{ kind: 'put', table: ARCHIVE_TABLES.instanceByUid, row: instanceRow(record, key, ctx.now()) }]);
    await writeVisible(engine, ctx.layout, record, key, ctx.now());
    return { kind: 'stored' };
  }
  if (!replace) return { kind: 'conflict', existingSha256: visibleSha };
  await removeVisible(engine, ctx.layout, existingKey, visibleSha, ctx.now());
  await writeVisible(engine, ctx.layout, record, key, ctx.now());
  await engine.write([{ kind: 'put', table: ARCHIVE_TABLES.instanceByUid, row: instanceRow(record, key, ctx.now()) }]);
  return { kind: 'replaced', previousSha256: visibleSha };
}

export async function recordInstance(ctx: RecordContext, record: InstanceRecord, replace: boolean): Promise<RecordOutcome> {
  const { engine } = ctx;
  const key = instanceKeyOf(record);
  const existing = await engine.get(ARCHIVE_TABLES.instanceByUid, { sop_instance_uid: record.sopInstanceUid });
  if (existing) return recordOverExisting(ctx, record, existing, replace);
  if (ctx.claimInBatch) {
    await writeVisible(engine, ctx.layout, record, key, ctx.now(), [{ kind: 'put', table: ARCHIVE_TABLES.instanceByUid, row: instanceRow(record, key, ctx.now()) }]);
    return { kind: 'stored' };
  }
  const claim = await engine.insertIfNotExists(ARCHIVE_TABLES.instanceByUid, instanceRow(record, key, ctx.now()));
  if (!claim.applied) {
    if (!claim.existing) throw new Error('instance claim refused without the existing row');
    return recordOverExisting(ctx, record, claim.existing, replace);
  }
  await writeVisible(engine, ctx.layout, record, key, ctx.now());
  return { kind: 'stored' };
}
