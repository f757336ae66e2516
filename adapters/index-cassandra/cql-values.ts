// Values between the model's JS types and what cassandra-driver binds and returns (the client runs
// with useBigIntAsLong, so bigint columns travel as JS bigint), plus the opaque page state.
import { IndexModelError } from '../../lib/index-model/index-model-error.ts';
import type { ColumnType, ColumnValue, Row, TableDef } from '../../lib/index-model/table-model.ts';

export function toCql(type: ColumnType, value: ColumnValue): unknown {
  if (value === null) return null;
  if (type === 'bigint' && typeof value === 'number') return BigInt(value);
  // The driver binds only Buffer for blobs; this view shares the caller's bytes without copying.
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

export function fromCql(table: TableDef, column: string, type: ColumnType, value: unknown): ColumnValue {
  if (value === null || value === undefined) return null;
  const converted = convert(type, value);
  if (converted === undefined) {
    throw new Error(`index-cassandra: table "${table.name}" column "${column}" (${type}) returned a value the model cannot hold`);
  }
  return converted;
}

function convert(type: ColumnType, value: unknown): ColumnValue | undefined {
  switch (type) {
    case 'text':
      return typeof value === 'string' ? value : undefined;
    case 'int':
    case 'double':
      return typeof value === 'number' ? value : undefined;
    case 'bigint':
      return typeof value === 'bigint' && value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'timestamp':
      return value instanceof Date ? new Date(value.getTime()) : undefined;
    case 'blob':
      // A copy: the driver's Buffer may be a slice of a pooled frame, and callers expect a plain Uint8Array.
      return value instanceof Uint8Array ? new Uint8Array(value) : undefined;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** Every column of the table, null where unset, in the table's column order; other columns are ignored. */
export function rowFromCql(table: TableDef, record: Readonly<Record<string, unknown>>): Row {
  const row: Record<string, ColumnValue> = {};
  for (const [column, type] of Object.entries(table.columns)) row[column] = fromCql(table, column, type, record[column]);
  return row;
}

/** The driver's paging state (hex), tagged with the table so a token from another scan is refused here. */
export function encodePageState(table: TableDef, driverState: string): string {
  return Buffer.from(JSON.stringify({ t: table.name, s: Buffer.from(driverState, 'hex').toString('base64url') })).toString('base64url');
}

export function decodePageState(table: TableDef, token: string): Buffer {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 't' in parsed && 's' in parsed
      && parsed.t === table.name && typeof parsed.s === 'string' && parsed.s !== '') {
      return Buffer.from(parsed.s, 'base64url');
    }
  } catch {
    // Not JSON: fall through to the same refusal as a token of another table.
  }
  throw new IndexModelError('INVALID_PAGE_STATE', `table "${table.name}": pageState was not issued by a scan of this table`);
}
