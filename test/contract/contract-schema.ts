// The contract suite's own schema and helpers. The tables cover what the platform's tables will need:
// a composite partition with mixed clustering orders, a key-value table, three clustering columns
// (asc, desc, asc), a table with a default TTL, and migrations that add a column and drop a table.
import { randomUUID } from 'node:crypto';
import type { IndexEngine, KeyValues, ScanOptions } from '../../lib/index-model/index-engine.ts';
import type { IndexSchema, Row } from '../../lib/index-model/table-model.ts';

export const CONTRACT_SCHEMA: IndexSchema = {
  name: 'contract',
  migrations: [
    {
      version: 1,
      description: 'contract tables',
      steps: [
        {
          kind: 'createTable',
          table: {
            name: 'contract_events',
            columns: {
              site: 'text', day: 'text', at: 'timestamp', seq: 'int',
              title: 'text', size: 'bigint', score: 'double', flag: 'boolean', payload: 'blob', hits: 'int',
            },
            partitionKey: ['site', 'day'],
            clusteringKey: [{ column: 'at', order: 'desc' }, { column: 'seq', order: 'asc' }],
          },
        },
        {
          kind: 'createTable',
          table: { name: 'contract_kv', columns: { k: 'text', v: 'text', n: 'bigint' }, partitionKey: ['k'], clusteringKey: [] },
        },
        {
          kind: 'createTable',
          table: {
            name: 'contract_grid',
            columns: { g: 'text', a: 'int', b: 'text', c: 'bigint', label: 'text' },
            partitionKey: ['g'],
            clusteringKey: [{ column: 'a', order: 'asc' }, { column: 'b', order: 'desc' }, { column: 'c', order: 'asc' }],
          },
        },
        {
          kind: 'createTable',
          table: {
            name: 'contract_expiring',
            columns: { k: 'text', i: 'int', v: 'text' },
            partitionKey: ['k'],
            clusteringKey: [{ column: 'i', order: 'asc' }],
            defaultTtlSeconds: 2,
          },
        },
      ],
    },
    {
      version: 2,
      description: 'events get a note; a scratch table',
      steps: [
        { kind: 'addColumn', table: 'contract_events', column: 'note', type: 'text' },
        {
          kind: 'createTable',
          table: { name: 'contract_scratch', columns: { k: 'text', v: 'text' }, partitionKey: ['k'], clusteringKey: [] },
        },
      ],
    },
    { version: 3, description: 'scratch table goes', steps: [{ kind: 'dropTable', table: 'contract_scratch' }] },
  ],
};

export const CONTRACT_VERSIONS = [1, 2, 3];

/** The schema as it stood after version 1 (for upgrade tests). */
export const CONTRACT_SCHEMA_V1: IndexSchema = { name: 'contract', migrations: CONTRACT_SCHEMA.migrations.slice(0, 1) };

/** A partition value no other test (or concurrent run) uses. */
export function uniqueId(label: string): string {
  return `${label}-${randomUUID()}`;
}

const EVENT_DEFAULTS = { title: null, size: null, score: null, flag: null, payload: null, hits: null, note: null };

/** A contract_events row as an engine returns it: every column, null where unset. */
export function eventRow(site: string, day: string, at: Date, seq: number, values: Row = {}): Row {
  return { site, day, at, seq, ...EVENT_DEFAULTS, ...values };
}

/** Every row of a scan, following page states; also returns the page sizes. */
export async function drain(engine: IndexEngine, table: string, partition: KeyValues, options: ScanOptions = {}): Promise<{ rows: Row[]; pages: number[] }> {
  const rows: Row[] = [];
  const pages: number[] = [];
  let pageState: string | undefined;
  do {
    const page = await engine.scan(table, partition, { ...options, ...(pageState === undefined ? {} : { pageState }) });
    rows.push(...page.rows);
    pages.push(page.rows.length);
    pageState = page.pageState;
  } while (pageState !== undefined && pages.length < 1000);
  return { rows, pages };
}

/** Compares text as both engines order it: by UTF-8 bytes (not by UTF-16 units like JS). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function shuffle<T>(items: readonly T[]): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}
