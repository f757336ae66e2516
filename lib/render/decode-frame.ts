// Decodes one frame into values rendering can work with: modality values (rescale applied, PS3.3
// C.11.1) for greyscale, 8-bit RGB for colour. Native pixel data (PS3.5 8.1.1, little or big endian,
// 1/8/16/32 bits allocated) and JPEG baseline (PS3.5 A.4.1, through jpeg-js). Other compressed syntaxes
// are refused: the frame is served as it is stored (frames resource), not rendered.
import { decode as decodeJpeg } from 'jpeg-js';
import type { ImagePixelModule } from './image-pixel-module.ts';

export type DecodedFrame =
  | { readonly kind: 'grey'; readonly width: number; readonly height: number; readonly values: Float32Array; readonly inverted: boolean }
  | { readonly kind: 'rgb'; readonly width: number; readonly height: number; readonly data: Uint8Array };

export class RenderError extends Error {
  readonly code: 'UNSUPPORTED' | 'CORRUPT';
  constructor(code: 'UNSUPPORTED' | 'CORRUPT', message: string) {
    super(message);
    this.name = 'RenderError';
    this.code = code;
  }
}

// Deflated explicit little endian is absent on purpose: its frames are not byte ranges of the stored object.
export const NATIVE_SYNTAXES = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const BIG_ENDIAN = '1.2.840.10008.1.2.2';
const MONOCHROME = new Set(['MONOCHROME1', 'MONOCHROME2']);
const RGB_LIKE = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422']);

export function canRender(transferSyntaxUid: string): boolean {
  return NATIVE_SYNTAXES.has(transferSyntaxUid) || transferSyntaxUid === JPEG_BASELINE;
}

function readSample(view: DataView, index: number, m: ImagePixelModule, little: boolean): number {
  const mask = m.bitsStored >= 32 ? 0xffffffff : (2 ** m.bitsStored) - 1;
  let raw: number;
  switch (m.bitsAllocated) {
    case 1: return (view.getUint8(index >> 3) >> (index & 7)) & 1;
    case 8: raw = view.getUint8(index); break;
    case 16: raw = view.getUint16(index * 2, little); break;
    case 32: raw = view.getUint32(index * 4, little); break;
    default: throw new RenderError('UNSUPPORTED', `BitsAllocated ${m.bitsAllocated}`);
  }
  const value = m.bitsStored >= 32 ? raw : raw & mask;
  // Two's complement within BitsStored (PS3.5 8.1.1).
  if (m.pixelRepresentation === 1 && m.bitsStored < 32 && value >= 2 ** (m.bitsStored - 1)) return value - 2 ** m.bitsStored;
  if (m.pixelRepresentation === 1 && m.bitsStored >= 32) return raw | 0;
  return value;
}

function decodeNativeGrey(bytes: Uint8Array, m: ImagePixelModule, little: boolean): DecodedFrame {
  const count = m.rows * m.columns;
  const needed = m.bitsAllocated === 1 ? Math.ceil(count / 8) : count * (m.bitsAllocated / 8);
  if (bytes.length < needed) throw new RenderError('CORRUPT', 'the frame is shorter than Rows x Columns');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = readSample(view, i, m, little) * m.rescaleSlope + m.rescaleIntercept;
  return { kind: 'grey', width: m.columns, height: m.rows, values, inverted: m.photometric === 'MONOCHROME1' };
}

/** YCbCr full range to RGB (PS3.3 C.7.6.3.1.2). */
function ybrToRgb(y: number, cb: number, cr: number): [number, number, number] {
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  return [clamp(y + 1.402 * (cr - 128)), clamp(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)), clamp(y + 1.772 * (cb - 128))];
}

/** Uncompressed YBR_FULL_422 stores Y1 Y2 Cb Cr per pair of pixels of a row (PS3.3 C.7.6.3.1.2). */
function decodeYbr422(bytes: Uint8Array, m: ImagePixelModule, data: Uint8Array): DecodedFrame {
  const count = m.rows * m.columns;
  if (bytes.length < count * 2) throw new RenderError('CORRUPT', 'the frame is shorter than Rows x Columns x 2');
  for (let pair = 0; pair < count / 2; pair++) {
    const [y1, y2, cb, cr] = [bytes[4 * pair] ?? 0, bytes[4 * pair + 1] ?? 0, bytes[4 * pair + 2] ?? 0, bytes[4 * pair + 3] ?? 0];
    data.set(ybrToRgb(y1, cb, cr), 6 * pair);
    data.set(ybrToRgb(y2, cb, cr), 6 * pair + 3);
  }
  return { kind: 'rgb', width: m.columns, height: m.rows, data };
}

function decodeNativeColour(bytes: Uint8Array, m: ImagePixelModule): DecodedFrame {
  if (m.bitsAllocated !== 8 || m.samplesPerPixel !== 3) throw new RenderError('UNSUPPORTED', 'colour other than 8-bit, three samples');
  const count = m.rows * m.columns;
  const data = new Uint8Array(count * 3);
  if (m.photometric === 'YBR_FULL_422') return decodeYbr422(bytes, m, data);
  if (bytes.length < count * 3) throw new RenderError('CORRUPT', 'the frame is shorter than Rows x Columns x 3');
  const ybr = m.photometric.startsWith('YBR');
  for (let i = 0; i < count; i++) {
    const [a, b, c] = m.planarConfiguration === 1
      ? [bytes[i] ?? 0, bytes[count + i] ?? 0, bytes[2 * count + i] ?? 0]
      : [bytes[3 * i] ?? 0, bytes[3 * i + 1] ?? 0, bytes[3 * i + 2] ?? 0];
    const [r, g, bl] = ybr ? ybrToRgb(a, b, c) : [a, b, c];
    data[3 * i] = r;
    data[3 * i + 1] = g;
    data[3 * i + 2] = bl;
  }
  return { kind: 'rgb', width: m.columns, height: m.rows, data };
}

function decodeBaseline(bytes: Uint8Array, m: ImagePixelModule): DecodedFrame {
  let image: { width: number; height: number; data: Uint8Array };
  try {
    // Photometric RGB declares a JPEG without the YCbCr transform (PS3.5 8.2.1).
    const colorTransform = m.photometric === 'RGB' ? { colorTransform: false } : {};
    image = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 256, maxResolutionInMP: 100, ...colorTransform });
  } catch (error) {
    throw new RenderError('CORRUPT', `JPEG baseline frame does not decode: ${(error as Error).message}`);
  }
  const { width, height, data } = image;
  const components = data.length / (width * height);
  if (MONOCHROME.has(m.photometric)) {
    const values = new Float32Array(width * height);
    for (let i = 0; i < values.length; i++) values[i] = (data[i * components] ?? 0) * m.rescaleSlope + m.rescaleIntercept;
    return { kind: 'grey', width, height, values, inverted: m.photometric === 'MONOCHROME1' };
  }
  if (components !== 3) throw new RenderError('UNSUPPORTED', `JPEG with ${components} components`);
  return { kind: 'rgb', width, height, data };
}

export function decodeFrame(bytes: Uint8Array, m: ImagePixelModule, transferSyntaxUid: string): DecodedFrame {
  if (transferSyntaxUid === JPEG_BASELINE) return decodeBaseline(bytes, m);
  if (!NATIVE_SYNTAXES.has(transferSyntaxUid)) throw new RenderError('UNSUPPORTED', `transfer syntax ${transferSyntaxUid}`);
  if (MONOCHROME.has(m.photometric) && m.samplesPerPixel === 1) return decodeNativeGrey(bytes, m, transferSyntaxUid !== BIG_ENDIAN);
  if (RGB_LIKE.has(m.photometric)) return decodeNativeColour(bytes, m);
  throw new RenderError('UNSUPPORTED', `photometric interpretation ${m.photometric}`);
}
