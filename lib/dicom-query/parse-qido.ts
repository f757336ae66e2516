// QIDO-RS query parameters (PS3.18 8.3.4, 10.6.1) -> the Query of ./query.ts. Attributes by keyword or
// by tag (8 hex digits); the matching kind follows the value and the attribute's VR (PS3.4 C.2.2.2):
// UI values are single UIDs or comma-separated UID lists, DA/TM/DT values with `-` are ranges, `*`/`?`
// make a wildcard, a lone `*` or an empty value is universal matching. Any problem names its parameter.
// Nested attribute paths (sequence matching) are refused: the index keeps no sequence items to match.
import { isUid, tagOf, vrOf } from '../dicom/dictionary.ts';
import type { Matcher, Query, QueryLevel } from './query.ts';

export type QidoProblem =
  | 'unknown' | 'repeated' | 'badUid' | 'badRange' | 'badDate' | 'badNumber' | 'badBoolean'
  | 'badIncludeField' | 'wildcardNotAllowed' | 'nested' | 'tooLong';

export interface QidoResource {
  readonly level: Exclude<QueryLevel, 'patient'>;
  readonly study?: string;
  readonly series?: string;
}

export interface QidoOptions {
  /** Results per page when the client gives no limit. */
  readonly defaultLimit: number;
  /** Largest page served; a larger limit is lowered with a warning. */
  readonly maxLimit: number;
}

export type QidoParse =
  | { readonly ok: true; readonly query: Query; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly parameter: string; readonly problem: QidoProblem };

const CONTROL = new Set(['limit', 'offset', 'fuzzymatching', 'includefield']);
const TAG_HEX = /^[0-9A-Fa-f]{8}$/;
const DA = /^\d{8}$/;
const TM = /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;
const DT = /^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$/;
const DATE_FORMAT: Readonly<Record<string, RegExp>> = { DA, TM, DT };
/** VRs whose values may carry wildcards (PS3.4 C.2.2.2.4). */
const WILDCARD_VRS = new Set(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
const MAX_VALUE_LENGTH = 1024;

class QidoError extends Error {
  readonly parameter: string;
  readonly problem: QidoProblem;
  constructor(parameter: string, problem: QidoProblem) {
    super(`${parameter}: ${problem}`);
    this.parameter = parameter;
    this.problem = problem;
  }
}

/** Keyword or 8-hex tag -> upper-case tag. */
export function resolveAttribute(id: string): string | undefined {
  if (TAG_HEX.test(id)) return id.toUpperCase();
  return tagOf(id);
}

function parseWholeNumber(name: string, raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new QidoError(name, 'badNumber');
  return Number(raw);
}

function parseRange(name: string, tag: string, vr: string, value: string): Matcher {
  const format = DATE_FORMAT[vr];
  if (!format) throw new QidoError(name, 'badRange');
  const dash = vr === 'DT' ? findRangeDash(value) : value.indexOf('-');
  const from = value.slice(0, dash);
  const to = value.slice(dash + 1);
  if ((from === '' && to === '') || (from !== '' && !format.test(from)) || (to !== '' && !format.test(to))) throw new QidoError(name, 'badRange');
  if (from !== '' && to !== '' && from > to) throw new QidoError(name, 'badRange');
  return { kind: 'Range', tag, ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** A DT may carry a `-hhmm` offset: the range dash is the one a DT (or nothing) surrounds. */
function findRangeDash(value: string): number {
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '-') continue;
    const from = value.slice(0, i);
    const to = value.slice(i + 1);
    if ((from === '' || DT.test(from)) && (to === '' || DT.test(to))) return i;
  }
  return value.indexOf('-');
}

function parseMatcher(name: string, tag: string, value: string): Matcher {
  if (value.length > MAX_VALUE_LENGTH) throw new QidoError(name, 'tooLong');
  if (value === '' || value === '*') return { kind: 'Universal', tag };
  const vr = vrOf(tag);
  if (vr === 'UI') {
    const uids = value.split(/[,\\]/);
    if (uids.some((u) => u.includes('*') || u.includes('?'))) throw new QidoError(name, 'wildcardNotAllowed');
    if (!uids.every(isUid)) throw new QidoError(name, 'badUid');
    return uids.length === 1 ? { kind: 'Single', tag, value } : { kind: 'UidList', tag, uids };
  }
  const dateFormat = DATE_FORMAT[vr];
  if (dateFormat) {
    if (value.includes('-')) return parseRange(name, tag, vr, value);
    if (!dateFormat.test(value)) throw new QidoError(name, 'badDate');
    return { kind: 'Single', tag, value };
  }
  if (value.includes('*') || value.includes('?')) {
    if (!WILDCARD_VRS.has(vr)) throw new QidoError(name, 'wildcardNotAllowed');
    return { kind: 'Wildcard', tag, pattern: value };
  }
  return { kind: 'Single', tag, value };
}

function parseIncludeFields(name: string, values: readonly string[]): readonly string[] | 'all' {
  const tags: string[] = [];
  for (const item of values.flatMap((v) => v.split(','))) {
    const id = item.trim();
    if (id === 'all') return 'all';
    if (id === '') continue;
    if (id.includes('.')) throw new QidoError(name, 'nested');
    const tag = resolveAttribute(id);
    if (!tag) throw new QidoError(name, 'badIncludeField');
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

function resourceMatchers(resource: QidoResource): Matcher[] {
  const out: Matcher[] = [];
  if (resource.study !== undefined) out.push({ kind: 'Single', tag: '0020000D', value: resource.study });
  if (resource.series !== undefined) out.push({ kind: 'Single', tag: '0020000E', value: resource.series });
  return out;
}

function parseControls(params: URLSearchParams, options: QidoOptions, warnings: string[]) {
  const single = (name: string): string | undefined => {
    const all = params.getAll(name);
    if (all.length > 1) throw new QidoError(name, 'repeated');
    return all[0];
  };
  const fuzzy = single('fuzzymatching');
  if (fuzzy !== undefined && fuzzy !== 'true' && fuzzy !== 'false') throw new QidoError('fuzzymatching', 'badBoolean');
  const rawLimit = single('limit');
  const rawOffset = single('offset');
  let limit = rawLimit === undefined ? options.defaultLimit : parseWholeNumber('limit', rawLimit);
  if (limit > options.maxLimit) {
    warnings.push(`limit lowered to ${options.maxLimit}`);
    limit = options.maxLimit;
  }
  // limit=0 asks for no particular page size: the server's largest.
  if (limit === 0) limit = options.maxLimit;
  return {
    fuzzyMatching: fuzzy === 'true',
    limit,
    offset: rawOffset === undefined ? 0 : parseWholeNumber('offset', rawOffset),
    includeFields: parseIncludeFields('includefield', params.getAll('includefield')),
  };
}

function parseAttributes(params: URLSearchParams): Matcher[] {
  const seen = new Set<string>();
  const matchers: Matcher[] = [];
  for (const [name, value] of params) {
    if (CONTROL.has(name)) continue;
    if (name.includes('.')) throw new QidoError(name, 'nested');
    const tag = resolveAttribute(name);
    if (!tag) throw new QidoError(name, 'unknown');
    if (seen.has(tag)) throw new QidoError(name, 'repeated');
    seen.add(tag);
    matchers.push(parseMatcher(name, tag, value));
  }
  return matchers;
}

/** Parses the raw query string (after `?`) of a QIDO-RS request on `resource`. */
export function parseQido(resource: QidoResource, rawQuery: string, options: QidoOptions): QidoParse {
  const params = new URLSearchParams(rawQuery);
  const warnings: string[] = [];
  try {
    const controls = parseControls(params, options, warnings);
    const fromPath = resourceMatchers(resource);
    const pathTags = new Set(fromPath.map((m) => m.tag));
    // A path UID wins; the same attribute in the query string must agree with it or it is refused.
    const fromQuery = parseAttributes(params).filter((m) => !pathTags.has(m.tag) || (m.kind !== 'Universal' && conflictsWithPath(m, fromPath)));
    const query: Query = Object.freeze({
      level: resource.level, root: 'study' as const,
      matchers: Object.freeze([...fromPath, ...fromQuery]),
      includeFields: controls.includeFields, fuzzyMatching: controls.fuzzyMatching,
      limit: controls.limit, offset: controls.offset,
    });
    return { ok: true, query, warnings };
  } catch (error) {
    if (error instanceof QidoError) return { ok: false, parameter: error.parameter, problem: error.problem };
    throw error;
  }
}

function conflictsWithPath(m: Matcher, path: readonly Matcher[]): boolean {
  const p = path.find((x) => x.tag === m.tag);
  if (p?.kind !== 'Single') return true;
  if (m.kind === 'Single' && m.value === p.value) return false;
  if (m.kind === 'UidList' && m.uids.includes(p.value)) return false;
  // Keep a contradicting matcher: the search then (correctly) finds nothing.
  return true;
}
