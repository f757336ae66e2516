// Transfer syntaxes the reader knows (PS3.5 Section 10 and Annex A; UIDs from PS3.6 Table A-1). Every
// one of them is stored as received; this table only says how the data set is encoded around the pixels.

export interface TransferSyntax {
  readonly uid: string;
  readonly explicit: boolean;
  readonly littleEndian: boolean;
  readonly deflated: boolean;
  /** Pixel Data is encapsulated (PS3.5 A.4): fragments, a Basic Offset Table. */
  readonly encapsulated: boolean;
}

export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';
export const DEFLATED_LE = '1.2.840.10008.1.2.1.99';

const NATIVE: readonly TransferSyntax[] = [
  { uid: IMPLICIT_LE, explicit: false, littleEndian: true, deflated: false, encapsulated: false },
  { uid: EXPLICIT_LE, explicit: true, littleEndian: true, deflated: false, encapsulated: false },
  { uid: EXPLICIT_BE, explicit: true, littleEndian: false, deflated: false, encapsulated: false },
  { uid: DEFLATED_LE, explicit: true, littleEndian: true, deflated: true, encapsulated: false },
  // Encapsulated Uncompressed Explicit VR Little Endian (PS3.5 A.4.11)
  { uid: '1.2.840.10008.1.2.1.98', explicit: true, littleEndian: true, deflated: false, encapsulated: true },
];

/** Encapsulated syntaxes: JPEG (A.4.1), JPEG-LS, JPEG 2000, MPEG-2/4, HEVC, RLE, JPIP, HTJ2K, JPEG XL. */
const ENCAPSULATED_UIDS: readonly string[] = [
  '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.52', '1.2.840.10008.1.2.4.53',
  '1.2.840.10008.1.2.4.54', '1.2.840.10008.1.2.4.55', '1.2.840.10008.1.2.4.56', '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.58', '1.2.840.10008.1.2.4.59', '1.2.840.10008.1.2.4.60', '1.2.840.10008.1.2.4.61',
  '1.2.840.10008.1.2.4.62', '1.2.840.10008.1.2.4.63', '1.2.840.10008.1.2.4.64', '1.2.840.10008.1.2.4.65',
  '1.2.840.10008.1.2.4.66', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.92', '1.2.840.10008.1.2.4.93',
  '1.2.840.10008.1.2.4.94', '1.2.840.10008.1.2.4.95', '1.2.840.10008.1.2.4.100', '1.2.840.10008.1.2.4.100.1',
  '1.2.840.10008.1.2.4.101', '1.2.840.10008.1.2.4.101.1', '1.2.840.10008.1.2.4.102', '1.2.840.10008.1.2.4.102.1',
  '1.2.840.10008.1.2.4.103', '1.2.840.10008.1.2.4.103.1', '1.2.840.10008.1.2.4.104', '1.2.840.10008.1.2.4.104.1',
  '1.2.840.10008.1.2.4.105', '1.2.840.10008.1.2.4.105.1', '1.2.840.10008.1.2.4.106', '1.2.840.10008.1.2.4.106.1',
  '1.2.840.10008.1.2.4.107', '1.2.840.10008.1.2.4.108', '1.2.840.10008.1.2.4.110', '1.2.840.10008.1.2.4.111',
  '1.2.840.10008.1.2.4.112', '1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203',
  '1.2.840.10008.1.2.4.204', '1.2.840.10008.1.2.4.205', '1.2.840.10008.1.2.5',
];

const TABLE: ReadonlyMap<string, TransferSyntax> = new Map([
  ...NATIVE.map((ts) => [ts.uid, ts] as const),
  ...ENCAPSULATED_UIDS.map((uid) => [uid, { uid, explicit: true, littleEndian: true, deflated: false, encapsulated: true }] as const),
]);

export function transferSyntaxOf(uid: string): TransferSyntax | undefined {
  return TABLE.get(uid);
}

/** Every transfer syntax UID the reader understands (for a conformance statement or SCP proposals). */
export function knownTransferSyntaxUids(): readonly string[] {
  return [...TABLE.keys()];
}
