// The PS3.6 data dictionary: keyword <-> tag and the VR an implicit-VR data set leaves unsaid
// (PS3.5 7.1.3). Maps are built once, on first use, from the generated compact table.
import { DICTIONARY_DATA } from './dictionary-data.ts';

export interface DictionaryEntry {
  /** 8 upper-case hex digits, group then element ('00100010'). */
  readonly tag: string;
  /** As PS3.6 lists it; ambiguous VRs in lower case: 'ox' (OB/OW), 'xs' (US/SS), 'lt' (US/OW), 'up', 'na'. */
  readonly vr: string;
  readonly keyword: string;
  readonly retired: boolean;
}

interface Maps {
  readonly byTag: ReadonlyMap<string, DictionaryEntry>;
  readonly byKeyword: ReadonlyMap<string, DictionaryEntry>;
}

let maps: Maps | undefined;

function buildMaps(): Maps {
  const byTag = new Map<string, DictionaryEntry>();
  const byKeyword = new Map<string, DictionaryEntry>();
  for (const line of DICTIONARY_DATA.split('\n')) {
    if (line.length < 11) continue;
    const retired = line[10] === '*';
    const entry: DictionaryEntry = {
      tag: line.slice(0, 8),
      vr: line.slice(8, 10),
      keyword: line.slice(retired ? 11 : 10),
      retired,
    };
    byTag.set(entry.tag, entry);
    byKeyword.set(entry.keyword, entry);
  }
  return { byTag, byKeyword };
}

function getMaps(): Maps {
  maps ??= buildMaps();
  return maps;
}

/** Curve (50xx) and overlay (60xx) repeating groups are listed under their first group (PS3.5 7.6). */
function canonicalTag(tag: string): string {
  const g = tag.slice(0, 2);
  if ((g === '50' || g === '60') && (parseInt(tag[3] ?? '1', 16) & 1) === 0) return `${g}00${tag.slice(4)}`;
  return tag;
}

const UPPER_HEX = /^[0-9A-F]{8}$/;

function normalize(tag: string): string {
  return UPPER_HEX.test(tag) ? tag : tag.toUpperCase();
}

export function entryOf(tag: string): DictionaryEntry | undefined {
  const t = normalize(tag);
  const { byTag } = getMaps();
  return byTag.get(t) ?? byTag.get(canonicalTag(t));
}

/** 'PatientName' -> '00100010'; retired keywords are accepted with or without dcmjs's RETIRED_ prefix. */
export function tagOf(keyword: string): string | undefined {
  return getMaps().byKeyword.get(keyword.replace(/^RETIRED_/, ''))?.tag;
}

export function keywordOf(tag: string): string | undefined {
  return entryOf(tag)?.keyword;
}

function isPrivateGroup(tag: string): boolean {
  return (parseInt(tag[3] ?? '0', 16) & 1) === 1;
}

/** The VR to assume for an element of an implicit VR data set (PS3.5 A.1). Ambiguous VRs resolve to the
 * reading that keeps the bytes intact (OW for OB-or-OW, US for US-or-SS); group lengths are UL; private
 * creators LO; unknown and private elements UN. */
export function vrOf(tag: string): string {
  const t = normalize(tag);
  if (t.endsWith('0000')) return 'UL';
  if (isPrivateGroup(t)) {
    const element = parseInt(t.slice(4), 16);
    return element >= 0x10 && element <= 0xff ? 'LO' : 'UN';
  }
  const vr = entryOf(t)?.vr;
  switch (vr) {
    case undefined: return 'UN';
    case 'ox': return 'OW';
    case 'xs': return 'US';
    case 'lt': return 'OW';
    case 'up': return 'UL';
    case 'na': return 'UN';
    default: return vr;
  }
}

const UID_SYNTAX = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

/** PS3.5 9.1: digits and dots, components without leading zeros, at most 64 characters. */
export function isUid(text: string): boolean {
  return text.length > 0 && text.length <= 64 && UID_SYNTAX.test(text);
}
