// Frames and bulk data in their own media types (PS3.18 8.7.3.3.2, Table 8.7.4-1 ... 8.7.4-2): native
// pixel data is application/octet-stream, each compressed transfer syntax has its image or video type.
// Frames are served as stored: there is no transcoding, so a request for another encoding is refused.

const COMPRESSED: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.50': 'image/jpeg',
  '1.2.840.10008.1.2.4.51': 'image/jpeg',
  '1.2.840.10008.1.2.4.57': 'image/jpeg',
  '1.2.840.10008.1.2.4.70': 'image/jpeg',
  '1.2.840.10008.1.2.4.80': 'image/jls',
  '1.2.840.10008.1.2.4.81': 'image/jls',
  '1.2.840.10008.1.2.4.90': 'image/jp2',
  '1.2.840.10008.1.2.4.91': 'image/jp2',
  '1.2.840.10008.1.2.4.92': 'image/jpx',
  '1.2.840.10008.1.2.4.93': 'image/jpx',
  '1.2.840.10008.1.2.4.201': 'image/jphc',
  '1.2.840.10008.1.2.4.202': 'image/jphc',
  '1.2.840.10008.1.2.4.203': 'image/jphc',
  '1.2.840.10008.1.2.5': 'image/x-dicom-rle',
  '1.2.840.10008.1.2.4.100': 'video/mpeg',
  '1.2.840.10008.1.2.4.101': 'video/mpeg',
  '1.2.840.10008.1.2.4.102': 'video/mp4',
  '1.2.840.10008.1.2.4.103': 'video/mp4',
  '1.2.840.10008.1.2.4.104': 'video/mp4',
  '1.2.840.10008.1.2.4.105': 'video/mp4',
  '1.2.840.10008.1.2.4.106': 'video/mp4',
};

/** Aliases clients send for the same encoding (dicomweb-client offers image/x-jls). */
const ALIASES: Readonly<Record<string, string>> = { 'image/x-jls': 'image/jls', 'image/jhc': 'image/jphc', 'image/dicom-rle': 'image/x-dicom-rle' };

export function frameMediaType(transferSyntaxUid: string): string {
  return COMPRESSED[transferSyntaxUid] ?? 'application/octet-stream';
}

export function canonicalMediaType(essence: string): string {
  return ALIASES[essence] ?? essence;
}

/** `1,3,5` -> [1, 3, 5]; undefined when not a list of frame numbers (1-based). */
export function parseFrameList(text: string): number[] | undefined {
  const parts = text.split(',');
  if (parts.length === 0 || parts.length > 10_000) return undefined;
  const numbers = parts.map((p) => (/^[1-9]\d{0,8}$/.test(p.trim()) ? Number(p.trim()) : NaN));
  return numbers.every(Number.isFinite) ? numbers : undefined;
}
