// What an import did: counts by result and the rejections grouped by reason (PS3.4 B.2.3 failure
// meanings from lib/outcome), printed bilingually. Paths are shown, patient data never.
import type { IngestResult } from '../ingest/ingest-types.ts';
import { OUTCOMES, type OutcomeCode } from '../outcome/outcome.ts';

export interface RejectionGroup {
  readonly outcome: OutcomeCode;
  readonly reason: string;
  readonly files: string[];
}

export interface ImportSummary {
  files: number;
  stored: number;
  duplicates: number;
  bytes: number;
  /** Rejections grouped by outcome and reason, in the order first seen. */
  readonly rejected: Map<string, RejectionGroup>;
}

export function emptySummary(): ImportSummary {
  return { files: 0, stored: 0, duplicates: 0, bytes: 0, rejected: new Map() };
}

export function addResult(summary: ImportSummary, file: string, result: IngestResult): void {
  summary.files += 1;
  switch (result.status) {
    case 'stored':
      summary.stored += 1;
      summary.bytes += result.size;
      return;
    case 'duplicate':
      summary.duplicates += 1;
      return;
    case 'rejected': {
      const key = `${result.outcome}\n${result.reason}`;
      const group = summary.rejected.get(key) ?? { outcome: result.outcome, reason: result.reason, files: [] };
      group.files.push(file);
      summary.rejected.set(key, group);
    }
  }
}

export function rejectedCount(summary: ImportSummary): number {
  let n = 0;
  for (const group of summary.rejected.values()) n += group.files.length;
  return n;
}

/** Files listed per reason before "... and N more". */
const LISTED_FILES = 10;

export function formatSummary(summary: ImportSummary, seconds: number): string {
  const lines = [
    `导入完成 / import finished: ${summary.files} 个文件 / files in ${seconds.toFixed(1)} s`,
    `  已存储 / stored:        ${summary.stored} (${(summary.bytes / 1024 / 1024).toFixed(1)} MiB)`,
    `  重复 / duplicates:      ${summary.duplicates}`,
    `  拒绝 / rejected:        ${rejectedCount(summary)}`,
  ];
  for (const group of summary.rejected.values()) {
    const spec = OUTCOMES[group.outcome];
    lines.push(`    ${spec.zh} / ${spec.en} (${group.files.length}): ${group.reason}`);
    for (const file of group.files.slice(0, LISTED_FILES)) lines.push(`      ${file}`);
    if (group.files.length > LISTED_FILES) lines.push(`      … 另有 / and ${group.files.length - LISTED_FILES} more`);
  }
  return lines.join('\n');
}
