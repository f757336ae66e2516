// A C-FIND identifier (PS3.4 C.4.1.1.3, already decoded to Unicode as DICOM JSON) to the Query the
// catalog evaluates for QIDO-RS too, so both protocols match the same way (PS3.4 C.2.2.2).
import type { DicomJsonDataset, DicomJsonElement, DicomJsonValue } from '../dicom/dicom-json.ts';
import { OutcomeError } from '../outcome/outcome.ts';
import type { Matcher, Query, QueryLevel } from './query.ts';

export type QueryRoot = 'patient' | 'study';

export const QUERY_RETRIEVE_LEVEL = '00080052';
const SPECIFIC_CHARACTER_SET = '00080005';

const LEVELS: Readonly<Record<string, QueryLevel>> = { PATIENT: 'patient', STUDY: 'study', SERIES: 'series', IMAGE: 'instance' };
const RANGE_VRS = new Set(['DA', 'TM', 'DT']);

/** Most matches one C-FIND returns; a larger result ends with A700 (out of resources) after these. */
export const CFIND_MAX_MATCHES = 5000;

function isPersonName(value: DicomJsonValue): value is { Alphabetic?: string; Ideographic?: string; Phonetic?: string } {
  return typeof value === 'object' && !('vr' in value) && ('Alphabetic' in value || 'Ideographic' in value || 'Phonetic' in value);
}

/** PN in DICOM string form: component groups joined with '=', trailing empty groups dropped. */
function personNameString(value: DicomJsonValue): string {
  if (!isPersonName(value)) return typeof value === 'object' ? '' : String(value);
  return [value.Alphabetic ?? '', value.Ideographic ?? '', value.Phonetic ?? ''].join('=').replace(/=+$/, '');
}

/** Values without their padding (PS3.5 6.2: trailing spaces, and a UID's trailing NUL, carry no meaning). */
function stringValues(element: DicomJsonElement): string[] {
  return (element.Value ?? [])
    .map((v) => (element.vr === 'PN' ? personNameString(v) : typeof v === 'object' ? '' : String(v)))
    .map((v) => v.replace(/[ \0]+$/, ''));
}

function matcherFor(tag: string, element: DicomJsonElement): Matcher {
  if (element.vr === 'SQ') return { kind: 'Universal', tag };
  const values = stringValues(element).filter((v) => v.length > 0);
  const first = values[0];
  if (first === undefined) return { kind: 'Universal', tag };
  if (element.vr === 'UI') return values.length > 1 ? { kind: 'UidList', tag, uids: values } : { kind: 'Single', tag, value: first };
  if (values.length > 1) throw new OutcomeError('invalidQuery', `attribute ${tag} has several values (only UIDs may be listed)`);
  if (RANGE_VRS.has(element.vr) && first.includes('-')) {
    const [from = '', to = '', extra] = first.split('-');
    if (extra !== undefined || (from === '' && to === '')) throw new OutcomeError('invalidQuery', `attribute ${tag} has an invalid range`);
    return { kind: 'Range', tag, ...(from ? { from } : {}), ...(to ? { to } : {}) };
  }
  if (/^\*+$/.test(first)) return { kind: 'Universal', tag };
  if (/[*?]/.test(first) && !RANGE_VRS.has(element.vr)) return { kind: 'Wildcard', tag, pattern: first };
  return { kind: 'Single', tag, value: first };
}

function levelOf(identifier: DicomJsonDataset, root: QueryRoot): QueryLevel {
  const raw = identifier[QUERY_RETRIEVE_LEVEL]?.Value?.[0];
  const level = typeof raw === 'string' ? LEVELS[raw.trim().toUpperCase()] : undefined;
  if (level === undefined) throw new OutcomeError('invalidQuery', 'QueryRetrieveLevel (0008,0052) is missing or not PATIENT, STUDY, SERIES or IMAGE');
  if (level === 'patient' && root === 'study') throw new OutcomeError('invalidQuery', 'the study root information model has no PATIENT level');
  return level;
}

/**
 * Every attribute of the identifier is a key: one with a value matches, an empty one is returned
 * (universal matching). The requested attributes become the query's include fields, so the response
 * carries exactly what was asked for.
 */
export function parseCFind(identifier: DicomJsonDataset, root: QueryRoot): Query {
  const level = levelOf(identifier, root);
  const matchers: Matcher[] = [];
  for (const [tag, element] of Object.entries(identifier)) {
    if (tag === QUERY_RETRIEVE_LEVEL || tag === SPECIFIC_CHARACTER_SET || tag.startsWith('0000') || tag.startsWith('0002')) continue;
    matchers.push(matcherFor(tag, element));
  }
  return Object.freeze({
    level, root, matchers: Object.freeze(matchers), includeFields: Object.freeze(matchers.map((m) => m.tag)),
    fuzzyMatching: false, limit: CFIND_MAX_MATCHES + 1, offset: 0,
  });
}

/** The requested keys of an identifier (what a C-FIND response returns). */
export function requestedKeys(identifier: DicomJsonDataset): string[] {
  return Object.keys(identifier).filter((tag) => !tag.startsWith('0000') && !tag.startsWith('0002') && tag !== SPECIFIC_CHARACTER_SET);
}
