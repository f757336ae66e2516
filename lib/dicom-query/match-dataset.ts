// Attribute matching of PS3.4 C.2.2.2 (used by QIDO-RS, PS3.18 8.3.4, and C-FIND) over DICOM JSON:
// single value, list of UIDs, wildcard, range (DA, TM, DT, either end open) and universal matching.
// Person names match per component group (Alphabetic, Ideographic, Phonetic); with fuzzy matching they
// are compared case- and accent-insensitively, and a query word matches the start of a name word.
import type { DicomJsonDataset, DicomJsonElement } from '../dicom/dicom-json.ts';
import type { Matcher } from './query.ts';
import { personNameGroups, valueStrings } from './dicom-values.ts';
import { nameWords, normalizeFuzzy } from './normalize-text.ts';

export interface MatchOptions {
  readonly fuzzy: boolean;
}

/** True when every matcher matches the data set. */
export function matchesAll(dataset: DicomJsonDataset, matchers: readonly Matcher[], options: MatchOptions): boolean {
  return matchers.every((m) => matchElement(dataset[m.tag], m, options));
}

export function matchElement(element: DicomJsonElement | undefined, matcher: Matcher, options: MatchOptions): boolean {
  switch (matcher.kind) {
    case 'Universal':
      return true;
    case 'UidList':
      return valueStrings(element).some((v) => matcher.uids.includes(v));
    case 'Single':
      if (matcher.value === '') return true;
      return element?.vr === 'PN' ? matchNameSingle(element, matcher.value, options) : valueStrings(element).includes(matcher.value);
    case 'Wildcard':
      return matchWildcard(element, matcher.pattern, options);
    case 'Range':
      return matchRange(element, matcher.from, matcher.to);
  }
}

function matchNameSingle(element: DicomJsonElement, value: string, options: MatchOptions): boolean {
  if (!options.fuzzy) {
    return valueStrings(element).includes(value) || personNameGroups(element).includes(value);
  }
  const queryWords = nameWords(normalizeFuzzy(value).replaceAll('=', ' '));
  if (queryWords.length === 0) return true;
  return personNameGroups(element).some((group) => {
    const words = nameWords(normalizeFuzzy(group));
    return queryWords.every((q) => words.some((w) => w.startsWith(q)));
  });
}

function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}-]/gu, (c) => `\\${c}`);
  }
  return new RegExp(`^${source}$`, 'su');
}

function matchWildcard(element: DicomJsonElement | undefined, pattern: string, options: MatchOptions): boolean {
  if (/^\**$/u.test(pattern)) return true;
  if (element?.vr !== 'PN') {
    const re = wildcardRegExp(pattern);
    return valueStrings(element).some((v) => re.test(v));
  }
  if (!options.fuzzy) {
    const re = wildcardRegExp(pattern);
    return valueStrings(element).some((v) => re.test(v)) || personNameGroups(element).some((g) => re.test(g));
  }
  const re = wildcardRegExp(normalizeFuzzy(pattern));
  return personNameGroups(element).some((group) => {
    const normalized = normalizeFuzzy(group);
    return re.test(normalized) || nameWords(normalized).some((w) => re.test(w));
  });
}

/** Range bounds and values as fixed-width digit strings, compared as text. */
function rangeKey(vr: string, text: string, upper: boolean): string | undefined {
  const pad = upper ? '9' : '0';
  switch (vr) {
    case 'DA': {
      const digits = text.replace(/[.\-\s]/gu, '');
      return /^\d{8}$/u.test(digits) ? digits : undefined;
    }
    case 'TM': {
      const [whole = '', fraction = ''] = text.replace(/:/gu, '').trim().split('.');
      if (!/^\d{2,6}$/u.test(whole) || !/^\d{0,6}$/u.test(fraction)) return undefined;
      return whole.padEnd(6, pad) + fraction.padEnd(6, pad);
    }
    case 'DT': {
      const [whole = '', fraction = ''] = text.trim().replace(/[+-]\d{4}$/u, '').split('.');
      if (!/^\d{4,14}$/u.test(whole) || !/^\d{0,6}$/u.test(fraction)) return undefined;
      return whole.padEnd(14, pad) + fraction.padEnd(6, pad);
    }
    default:
      return text;
  }
}

function matchRange(element: DicomJsonElement | undefined, from: string | undefined, to: string | undefined): boolean {
  if (!element) return false;
  const vr = element.vr;
  const low = from ? rangeKey(vr, from, false) : undefined;
  const high = to ? rangeKey(vr, to, true) : undefined;
  if ((from && low === undefined) || (to && high === undefined)) return false;
  return valueStrings(element).some((v) => {
    const key = rangeKey(vr, v, false);
    if (key === undefined) return false;
    return (low === undefined || key >= low) && (high === undefined || key <= high);
  });
}
