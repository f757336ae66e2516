// Part 10 File Meta Information (PS3.10 7.1) for objects that arrive without one (C-STORE carries a bare
// data set), and the reverse: where the data set starts in a stored Part 10 object, so C-MOVE/C-GET
// send exactly the data set that came in. Explicit VR Little Endian, as PS3.10 requires.

/** Yunying's Implementation Class UID (a UUID-derived 2.25 UID, PS3.5 B.2) and version name. */
export const IMPLEMENTATION_CLASS_UID = '2.25.130520520484093271812230864042151794662';
export const IMPLEMENTATION_VERSION_NAME = 'YUNYING_0_1';

export interface FileMetaFacts {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** Source Application Entity Title (0002,0016): the calling AE the object came from. */
  readonly sourceAeTitle?: string;
}

const PREAMBLE_LENGTH = 128;
/** Explicit VR with a 2-byte length (PS3.5 7.1.2); the others have a 4-byte length. */
const SHORT_VRS = new Set(['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US']);

function element(element: number, vr: string, value: Buffer): Buffer {
  const long = !SHORT_VRS.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(0x0002, 0);
  head.writeUInt16LE(element, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

/** UI values pad with NUL, text values with a space, to an even length (PS3.5 6.2). */
function text(value: string, pad: '\0' | ' '): Buffer {
  const raw = Buffer.from(value, 'latin1');
  return raw.length % 2 === 0 ? raw : Buffer.concat([raw, Buffer.from(pad, 'latin1')]);
}

export function buildFileMeta(facts: FileMetaFacts): Buffer {
  const body = Buffer.concat([
    element(0x0001, 'OB', Buffer.from([0x00, 0x01])),
    element(0x0002, 'UI', text(facts.sopClassUid, '\0')),
    element(0x0003, 'UI', text(facts.sopInstanceUid, '\0')),
    element(0x0010, 'UI', text(facts.transferSyntaxUid, '\0')),
    element(0x0012, 'UI', text(IMPLEMENTATION_CLASS_UID, '\0')),
    element(0x0013, 'SH', text(IMPLEMENTATION_VERSION_NAME, ' ')),
    ...(facts.sourceAeTitle ? [element(0x0016, 'AE', text(facts.sourceAeTitle.trim(), ' '))] : []),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length, 0);
  return Buffer.concat([Buffer.alloc(PREAMBLE_LENGTH), Buffer.from('DICM', 'latin1'), element(0x0000, 'UL', groupLength), body]);
}

/**
 * Offset of the data set in an object that starts with `head` (at least the meta header's bytes):
 * 0 for a bare data set, else the first byte after group 0002. Walks the group's elements rather than
 * trusting (0002,0000), which some writers get wrong or leave out. Undefined when `head` is too short.
 */
export function dataSetOffset(head: Buffer): number | undefined {
  if (head.length < PREAMBLE_LENGTH + 4) return undefined;
  if (head.toString('latin1', PREAMBLE_LENGTH, PREAMBLE_LENGTH + 4) !== 'DICM') return 0;
  let at = PREAMBLE_LENGTH + 4;
  for (;;) {
    if (at + 8 > head.length) return undefined;
    if (head.readUInt16LE(at) !== 0x0002) return at;
    const vr = head.toString('latin1', at + 4, at + 6);
    if (SHORT_VRS.has(vr)) {
      at += 8 + head.readUInt16LE(at + 6);
    } else {
      if (at + 12 > head.length) return undefined;
      at += 12 + head.readUInt32LE(at + 8);
    }
  }
}

/** Reads a text element of group 0002 (e.g. 0x0010 Transfer Syntax UID) from a Part 10 head. */
export function fileMetaValue(head: Buffer, element: number): string | undefined {
  // A head that is exactly the meta header (nothing after it) is read to its end.
  const end = dataSetOffset(head) ?? head.length;
  if (end === 0) return undefined;
  let at = PREAMBLE_LENGTH + 4;
  while (at + 8 <= end && head.readUInt16LE(at) === 0x0002) {
    const el = head.readUInt16LE(at + 2);
    const vr = head.toString('latin1', at + 4, at + 6);
    const short = SHORT_VRS.has(vr);
    const length = short ? head.readUInt16LE(at + 6) : head.readUInt32LE(at + 8);
    const valueAt = at + (short ? 8 : 12);
    if (el === element) return head.toString('latin1', valueAt, valueAt + length).replace(/[\0 ]+$/, '');
    at = valueAt + length;
  }
  return undefined;
}

export function fileMetaTransferSyntax(head: Buffer): string | undefined {
  return fileMetaValue(head, 0x0010);
}
