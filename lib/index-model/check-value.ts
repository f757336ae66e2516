// Type checks for column values, shared by both engines so that a value one engine accepts the other
// accepts too (SQLite alone would store a string in an int column, Cassandra alone would store NaN).
// Messages name the table and column but never echo the value: index rows carry patient data.
import { IndexModelError } from './index-model-error.ts';
import type { ColumnType, ColumnValue } from './table-model.ts';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONE_SURROGATE = /\p{Cs}/u;

/** Throws INVALID_VALUE unless `value` is a non-null JS value of the column's type. */
export function checkValue(table: string, column: string, type: ColumnType, value: unknown): asserts value is ColumnValue {
  const problem = valueProblem(type, value);
  if (problem !== undefined) {
    throw new IndexModelError('INVALID_VALUE', `table "${table}" column "${column}" (${type}): ${problem}`);
  }
}

function valueProblem(type: ColumnType, value: unknown): string | undefined {
  if (value === null || value === undefined) return `expected a value, got ${String(value)}`;
  switch (type) {
    case 'text':
      if (typeof value !== 'string') return expected('a string', value);
      // node:sqlite cuts a string at U+0000, and UTF-8 cannot carry a lone surrogate: refuse both everywhere.
      return value.includes('\u0000') || LONE_SURROGATE.test(value) ? 'text may not contain U+0000 or an unpaired surrogate' : undefined;
    case 'int':
      return Number.isInteger(value) && (value as number) >= INT_MIN && (value as number) <= INT_MAX
        ? undefined
        : expected('a 32-bit integer', value);
    case 'bigint':
      return Number.isSafeInteger(value) ? undefined : expected('a safe integer (|n| <= 2^53 - 1)', value);
    case 'double':
      return typeof value === 'number' && !Number.isNaN(value) ? undefined : expected('a number other than NaN', value);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : expected('a boolean', value);
    case 'timestamp':
      return value instanceof Date && Number.isFinite(value.getTime()) ? undefined : expected('a valid Date', value);
    case 'blob':
      return value instanceof Uint8Array ? undefined : expected('a Uint8Array', value);
  }
}

function expected(what: string, value: unknown): string {
  return `expected ${what}, got ${describeKind(value)}`;
}

function describeKind(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    return Number.isInteger(value) ? 'an integer out of range' : 'a fractional number';
  }
  if (value instanceof Date) return 'an invalid Date';
  if (typeof value === 'object' && value !== null) return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return typeof value;
}

/** Whether a partition key value is empty: Cassandra refuses those, so the model refuses them everywhere. */
export function isEmptyKeyValue(value: ColumnValue): boolean {
  return value === '' || (value instanceof Uint8Array && value.byteLength === 0);
}
