// One error class for every misuse of the index model, whichever engine runs it, so callers (and the
// outcome table) can tell "the code asked for something the model forbids" from an engine failure.
// Messages always name the schema element at fault (table, column, migration).

export type IndexModelErrorCode =
  | 'SCHEMA_INVALID'
  | 'UNKNOWN_TABLE'
  | 'UNKNOWN_COLUMN'
  | 'MISSING_KEY_COLUMN'
  | 'INVALID_VALUE'
  | 'INVALID_REQUEST'
  | 'INVALID_PAGE_STATE';

export class IndexModelError extends Error {
  readonly code: IndexModelErrorCode;

  constructor(code: IndexModelErrorCode, message: string) {
    super(message);
    this.name = 'IndexModelError';
    this.code = code;
  }
}

/** The index engine cannot be reached (a down Cassandra, an unwritable SQLite file): an operational
 * fault, not a misuse; the message names the setting to check. */
export class IndexUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IndexUnavailableError';
  }
}
