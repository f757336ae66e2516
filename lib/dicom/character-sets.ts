// Specific Character Set (0008,0005) defined terms (PS3.3 C.12.1.1.2, PS3.5 6.1) and how each one is
// decoded with the WHATWG decoders Node ships. Terms without code extensions name one decoder; ISO 2022
// terms name the code element their escape sequence designates (PS3.5 6.1.2.5, Annex J for Chinese).
import { TextDecoder } from 'node:util';

/** A code element reached through ISO 2022 escape sequences. */
export interface CodeElement {
  /** 'G0' (bytes 0x21-0x7E) or 'G1' (bytes 0xA1-0xFE). */
  readonly slot: 'G0' | 'G1';
  /** Decoder for the element's bytes, as they appear in the value. */
  readonly decode: (bytes: Uint8Array) => string;
}

export interface CharacterSet {
  readonly term: string;
  /** Single-byte or multi-byte decoder for a value with no code extensions. */
  readonly decoder: string;
  /** Escape sequence (bytes after ESC) designating this element, for ISO 2022 terms. */
  readonly escape?: string;
  readonly element?: CodeElement;
}

const decoders = new Map<string, TextDecoder>();

export function textDecoder(label: string): TextDecoder {
  let decoder = decoders.get(label);
  if (!decoder) {
    decoder = new TextDecoder(label);
    decoders.set(label, decoder);
  }
  return decoder;
}

export function decodeLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** A G1 element decoded by a legacy decoder that expects its bytes with the high bit set (EUC). */
function grDecoder(label: string): (bytes: Uint8Array) => string {
  return (bytes) => textDecoder(label).decode(bytes);
}

/** A 94x94 G0 element (JIS X 0208 / 0212 via ESC $ B, ESC $ ( D): shifted to EUC-JP. */
function g0ToEucJp(prefix: number[]): (bytes: Uint8Array) => string {
  return (bytes) => {
    const out: number[] = [];
    for (let i = 0; i + 1 < bytes.length; i += 2) out.push(...prefix, (bytes[i] ?? 0) | 0x80, (bytes[i + 1] ?? 0) | 0x80);
    return textDecoder('euc-jp').decode(Uint8Array.from(out));
  };
}

const ascii: CodeElement = { slot: 'G0', decode: decodeLatin1 };

function single(term: string, decoder: string, iso2022?: { escape: string; label: string }): CharacterSet[] {
  const base: CharacterSet = { term, decoder };
  if (!iso2022) return [base];
  return [base, {
    term: term.replace('ISO_IR', 'ISO 2022 IR'), decoder, escape: iso2022.escape,
    element: { slot: 'G1', decode: grDecoder(iso2022.label) },
  }];
}

const SETS: readonly CharacterSet[] = [
  { term: '', decoder: 'latin1', escape: '(B', element: ascii },
  { term: 'ISO_IR 6', decoder: 'latin1' },
  { term: 'ISO 2022 IR 6', decoder: 'latin1', escape: '(B', element: ascii },
  ...single('ISO_IR 100', 'latin1', { escape: '-A', label: 'iso-8859-1' }),
  ...single('ISO_IR 101', 'iso-8859-2', { escape: '-B', label: 'iso-8859-2' }),
  ...single('ISO_IR 109', 'iso-8859-3', { escape: '-C', label: 'iso-8859-3' }),
  ...single('ISO_IR 110', 'iso-8859-4', { escape: '-D', label: 'iso-8859-4' }),
  ...single('ISO_IR 144', 'iso-8859-5', { escape: '-L', label: 'iso-8859-5' }),
  ...single('ISO_IR 127', 'iso-8859-6', { escape: '-G', label: 'iso-8859-6' }),
  ...single('ISO_IR 126', 'iso-8859-7', { escape: '-F', label: 'iso-8859-7' }),
  ...single('ISO_IR 138', 'iso-8859-8', { escape: '-H', label: 'iso-8859-8' }),
  ...single('ISO_IR 148', 'iso-8859-9', { escape: '-M', label: 'iso-8859-9' }),
  ...single('ISO_IR 203', 'iso-8859-15', { escape: '-b', label: 'iso-8859-15' }),
  ...single('ISO_IR 166', 'windows-874', { escape: '-T', label: 'windows-874' }),
  { term: 'ISO_IR 13', decoder: 'shift_jis' },
  { term: 'ISO 2022 IR 13', decoder: 'shift_jis', escape: ')I', element: { slot: 'G1', decode: grDecoder('shift_jis') } },
  { term: 'ISO 2022 IR 13/G0', decoder: 'latin1', escape: '(J', element: ascii },
  { term: 'ISO 2022 IR 87', decoder: 'euc-jp', escape: '$B', element: { slot: 'G0', decode: g0ToEucJp([]) } },
  { term: 'ISO 2022 IR 159', decoder: 'euc-jp', escape: '$(D', element: { slot: 'G0', decode: g0ToEucJp([0x8f]) } },
  { term: 'ISO 2022 IR 149', decoder: 'euc-kr', escape: '$)C', element: { slot: 'G1', decode: grDecoder('euc-kr') } },
  { term: 'ISO 2022 IR 58', decoder: 'gbk', escape: '$)A', element: { slot: 'G1', decode: grDecoder('gbk') } },
  { term: 'ISO_IR 192', decoder: 'utf-8' },
  { term: 'GB18030', decoder: 'gb18030' },
  { term: 'GBK', decoder: 'gbk' },
];

const BY_TERM: ReadonlyMap<string, CharacterSet> = new Map(SETS.map((s) => [s.term, s]));
const BY_ESCAPE: ReadonlyMap<string, CharacterSet> = new Map(
  SETS.filter((s) => s.escape !== undefined && s.term !== '').map((s) => [s.escape ?? '', s]),
);

/** Terms are compared after trimming and with the usual misspellings fixed ('ISO_IR100', 'ISO-IR 192',
 * 'UTF-8', 'GB2312'), as DCMTK and pydicom do for real-world files. */
export function normalizeTerm(raw: string): string {
  const t = raw.trim().toUpperCase();
  if (t === 'UTF-8' || t === 'UTF8' || t === 'ISO-IR 192' || t === 'ISO_IR192') return 'ISO_IR 192';
  if (t === 'GB2312' || t === 'GB 2312') return 'ISO 2022 IR 58';
  const m = /^ISO[_ -]?IR[_ -]?(\d+)$/.exec(t);
  if (m) return `ISO_IR ${m[1]}`;
  const m2 = /^ISO[_ ]2022[_ ]IR[_ ]?(\d+)$/.exec(t);
  if (m2) return `ISO 2022 IR ${m2[1]}`;
  return t;
}

export function characterSetOf(term: string): CharacterSet | undefined {
  return BY_TERM.get(normalizeTerm(term));
}

export function characterSetByEscape(escape: string): CharacterSet | undefined {
  return BY_ESCAPE.get(escape);
}

/** All supported defined terms (for the conformance statement and config validation). */
export function supportedCharacterSets(): readonly string[] {
  return SETS.map((s) => s.term).filter((t) => t !== '' && !t.includes('/'));
}
