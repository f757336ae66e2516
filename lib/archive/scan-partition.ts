// Every row of one partition (optionally narrowed), page by page: the index model's paging loop in one
// place (loop until no page state; Cassandra may end with an empty page).
import type { IndexEngine, ScanOptions } from '../index-model/index-engine.ts';
import type { Row } from '../index-model/table-model.ts';

const PAGE_SIZE = 1000;

export async function* scanPartition(
  engine: IndexEngine, table: string, partition: Readonly<Record<string, string | number>>,
  options: Omit<ScanOptions, 'pageState' | 'limit'> = {},
): AsyncGenerator<Row> {
  let pageState: string | undefined;
  do {
    const page = await engine.scan(table, partition, { ...options, limit: PAGE_SIZE, ...(pageState ? { pageState } : {}) });
    yield* page.rows;
    pageState = page.pageState;
  } while (pageState !== undefined);
}

export async function collectPartition(
  engine: IndexEngine, table: string, partition: Readonly<Record<string, string | number>>,
  options: Omit<ScanOptions, 'pageState' | 'limit'> = {},
): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of scanPartition(engine, table, partition, options)) rows.push(row);
  return rows;
}

export function text(row: Row, column: string): string {
  const value = row[column];
  return typeof value === 'string' ? value : '';
}

export function int(row: Row, column: string): number {
  const value = row[column];
  return typeof value === 'number' ? value : 0;
}
