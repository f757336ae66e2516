// A parsed query (QIDO-RS parameters or a C-FIND identifier) as a frozen tree of matching nodes with a
// `kind`, evaluated by an exhaustive switch (PS3.4 C.2.2.2 attribute matching, PS3.18 8.3.4).
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';

export type QueryLevel = 'patient' | 'study' | 'series' | 'instance';

export type Matcher =
  /** Single value matching (case-sensitive except PN with fuzzy matching). */
  | { readonly kind: 'Single'; readonly tag: string; readonly value: string }
  /** List of UID matching (backslash-separated UIDs in DICOM, comma-separated in QIDO). */
  | { readonly kind: 'UidList'; readonly tag: string; readonly uids: readonly string[] }
  /** Wildcard matching with `*` and `?`. */
  | { readonly kind: 'Wildcard'; readonly tag: string; readonly pattern: string }
  /** Range matching for DA, TM and DT; either end may be open. */
  | { readonly kind: 'Range'; readonly tag: string; readonly from?: string; readonly to?: string }
  /** Universal matching: the attribute is only to be returned. */
  | { readonly kind: 'Universal'; readonly tag: string };

export interface Query {
  readonly level: QueryLevel;
  /** Query/retrieve root the request came with (C-FIND); QIDO queries are study root. */
  readonly root: 'patient' | 'study';
  readonly matchers: readonly Matcher[];
  /** Extra attributes to return (tags); `all` returns every attribute the index keeps. */
  readonly includeFields: readonly string[] | 'all';
  /** Case- and accent-insensitive (and pinyin-aware) person name matching. */
  readonly fuzzyMatching: boolean;
  readonly limit: number;
  readonly offset: number;
}

export interface QueryResult {
  readonly matches: readonly DicomJsonDataset[];
  /** Number of matches before limit/offset, for the paging header. */
  readonly total: number;
  /** Warnings for the response (e.g. an unsupported parameter ignored), per PS3.18 8.3.4.3. */
  readonly warnings: readonly string[];
}
