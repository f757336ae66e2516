// Text values to Unicode (PS3.5 6.1). Only SH, LO, ST, LT, UT, PN and UC use the Specific Character
// Set; every other string VR is ASCII (PS3.5 6.1.2.3). Values are decoded whole and split at '\', '^'
// and '=' afterwards: GB18030/GBK trail bytes may be 0x5C or 0x5E, which must not split a character.
// ISO 2022 values switch code elements with escape sequences and return to the initial ones at each
// delimiter (PS3.5 6.1.2.5.3), which is why PN decoding knows about '^' and '='.
import { characterSetByEscape, characterSetOf, decodeLatin1, normalizeTerm, textDecoder } from './character-sets.ts';
import type { CharacterSet, CodeElement } from './character-sets.ts';

const SPECIFIC_VRS: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'PN', 'UC']);
const ESC = 0x1b;
const NO_EXTENSIONS: ReadonlySet<string> = new Set(['ISO_IR 192', 'GB18030', 'GBK']);

export interface TextDecoding {
  /** The terms used to decode (the declared ones, or the default when none was declared). */
  readonly decodedWith: readonly string[];
  decode(bytes: Uint8Array, vr: string): string;
  /** True once a value with bytes beyond ASCII went through the character set. */
  readonly sawNonAscii: () => boolean;
}

interface Iso2022State {
  g0: CodeElement | undefined;
  g1: CodeElement | undefined;
}

const ASCII_ELEMENT: CodeElement = { slot: 'G0', decode: decodeLatin1 };

export function usesCharacterSet(vr: string): boolean {
  return SPECIFIC_VRS.has(vr);
}

/** Builds the decoder for a data set's SpecificCharacterSet values (empty: none declared). Problems
 * (unknown terms, extensions where none can be) are pushed to warnings; decoding goes on. */
export function createTextDecoding(declared: readonly string[], defaultCharset: string, warnings: string[]): TextDecoding {
  const terms = declared.some((t) => t.trim() !== '') ? declared.map(normalizeTerm) : [normalizeTerm(defaultCharset)];
  const sets: CharacterSet[] = [];
  for (const term of terms) {
    const set = characterSetOf(term);
    if (set) sets.push(set);
    else warnings.push(`unknown SpecificCharacterSet term "${term}": decoded as ISO_IR 6`);
  }
  const first = sets[0] ?? { term: '', decoder: 'latin1' };
  const iso2022 = terms.length > 1 || first.term.startsWith('ISO 2022');
  if (iso2022 && NO_EXTENSIONS.has(first.term)) {
    // ISO_IR 192, GB18030 and GBK allow no code extensions (PS3.3 C.12.1.1.2): use the first value.
    warnings.push(`SpecificCharacterSet ${first.term} cannot have code extensions: extensions ignored`);
    return simpleDecoding([first.term], first.decoder);
  }
  if (!iso2022) return simpleDecoding(terms.length === 1 && sets.length === 1 ? terms : ['ISO_IR 6'], first.decoder);
  return iso2022Decoding(terms, sets, warnings);
}

function hasHighBytes(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80 || b === ESC) return true;
  return false;
}

function simpleDecoding(decodedWith: readonly string[], label: string): TextDecoding {
  let seen = false;
  return {
    decodedWith,
    sawNonAscii: () => seen,
    decode(bytes, vr) {
      if (!SPECIFIC_VRS.has(vr)) return decodeLatin1(bytes);
      if (!seen && hasHighBytes(bytes)) seen = true;
      return label === 'latin1' ? decodeLatin1(bytes) : textDecoder(label).decode(bytes);
    },
  };
}

function initialState(first: CharacterSet | undefined): Iso2022State {
  if (!first) return { g0: ASCII_ELEMENT, g1: undefined };
  // A single-byte first value written without "2022" (ISO_IR 100) still sets G1 (PS3.5 6.1.2.5.1).
  const own = first.element ?? characterSetOf(first.term.replace('ISO_IR', 'ISO 2022 IR'))?.element;
  if (first.term === 'ISO 2022 IR 13' || first.term === 'ISO_IR 13') return { g0: ASCII_ELEMENT, g1: characterSetOf('ISO 2022 IR 13')?.element };
  if (own?.slot === 'G1') return { g0: ASCII_ELEMENT, g1: own };
  return { g0: own ?? ASCII_ELEMENT, g1: undefined };
}

function iso2022Decoding(terms: readonly string[], sets: readonly CharacterSet[], warnings: string[]): TextDecoding {
  const initial = initialState(terms[0] === '' ? undefined : sets[0]);
  let seen = false;
  return {
    decodedWith: terms.map((t) => (t === '' ? 'ISO 2022 IR 6' : t)),
    sawNonAscii: () => seen,
    decode(bytes, vr) {
      if (!SPECIFIC_VRS.has(vr)) return decodeLatin1(bytes);
      if (!seen && hasHighBytes(bytes)) seen = true;
      return decodeIso2022(bytes, vr === 'PN', initial, warnings);
    },
  };
}

function isDelimiter(byte: number, personName: boolean): boolean {
  return byte === 0x5c || byte === 0x0d || byte === 0x0a || byte === 0x0c || byte === 0x09 || (personName && (byte === 0x5e || byte === 0x3d));
}

function decodeRun(bytes: Uint8Array, state: Iso2022State): string {
  let out = '';
  let start = 0;
  const flush = (end: number, high: boolean) => {
    if (end <= start) return;
    const part = bytes.subarray(start, end);
    out += high ? (state.g1 ?? ASCII_ELEMENT).decode(part) : (state.g0 ?? ASCII_ELEMENT).decode(part);
    start = end;
  };
  for (let i = 1; i <= bytes.length; i++) {
    const prevHigh = (bytes[i - 1] ?? 0) >= 0x80;
    if (i === bytes.length || ((bytes[i] ?? 0) >= 0x80) !== prevHigh) flush(i, prevHigh);
  }
  return out;
}

/** Reads ESC's intermediate bytes (0x20-0x2F) and final byte; returns the escape text and its length. */
function readEscape(bytes: Uint8Array, at: number): { readonly text: string; readonly length: number } {
  let i = at + 1;
  let text = '';
  while (i < bytes.length && (bytes[i] ?? 0) >= 0x20 && (bytes[i] ?? 0) <= 0x2f) text += String.fromCharCode(bytes[i++] ?? 0);
  if (i < bytes.length) text += String.fromCharCode(bytes[i++] ?? 0);
  return { text, length: i - at };
}

export function decodeIso2022(bytes: Uint8Array, personName: boolean, initial: Iso2022State, warnings: string[]): string {
  const state: Iso2022State = { ...initial };
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i] ?? 0;
    const singleByteG0 = state.g0 === ASCII_ELEMENT || state.g0?.decode === decodeLatin1;
    if (byte === ESC) {
      out += decodeRun(bytes.subarray(runStart, i), state);
      const escape = readEscape(bytes, i);
      const set = characterSetByEscape(escape.text);
      if (set?.element) {
        if (set.element.slot === 'G0') state.g0 = set.element;
        else state.g1 = set.element;
      } else {
        warnings.push(`unknown ISO 2022 escape sequence ESC ${escape.text}`);
      }
      i += escape.length;
      runStart = i;
    } else if (singleByteG0 && isDelimiter(byte, personName)) {
      out += decodeRun(bytes.subarray(runStart, i), state) + String.fromCharCode(byte);
      state.g0 = initial.g0;
      state.g1 = initial.g1;
      i += 1;
      runStart = i;
    } else {
      i += 1;
    }
  }
  return out + decodeRun(bytes.subarray(runStart), state);
}
