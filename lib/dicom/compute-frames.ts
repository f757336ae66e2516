// Where each frame lies in the stored object, so WADO-RS frames are range reads. Native pixel data
// (PS3.5 8.1.1): frames follow each other, Rows x Columns x SamplesPerPixel x BitsAllocated/8 bytes each.
// Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table (or Extended Offset Table) when present;
// else one fragment per frame when the counts match; else, for one frame, all fragments; else a new
// frame at each fragment that starts with a JPEG SOI (FFD8) or JPEG 2000 SOC (FF4F) marker.
import type { ByteRange } from '../blob-store/blob-store.ts';
import type { Fragment, PixelDataInfo } from './walk-elements.ts';

export interface ImageGeometry {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly numberOfFrames: number;
  /** Extended Offset Table (7FE0,0001) values, when the object has one. */
  readonly extendedOffsets?: readonly number[];
}

const JPEG_SOI = 0xffd8;
const J2K_SOC = 0xff4f;
/** Item tag and length preceding each fragment's value. */
const ITEM_HEADER = 8;

export function computeFrames(pixel: PixelDataInfo, geometry: ImageGeometry, warnings: string[]): ByteRange[][] {
  return pixel.length === undefined ? encapsulatedFrames(pixel, geometry, warnings) : nativeFrames(pixel, geometry, warnings);
}

function nativeFrames(pixel: PixelDataInfo, g: ImageGeometry, warnings: string[]): ByteRange[][] {
  const length = pixel.length ?? 0;
  const pixelsPerFrame = g.rows * g.columns * g.samplesPerPixel;
  if (pixelsPerFrame === 0 || g.bitsAllocated === 0) {
    if (length > 0) warnings.push('Pixel Data without Rows, Columns or BitsAllocated: no frames');
    return [];
  }
  const frames: ByteRange[][] = [];
  for (let f = 0; f < g.numberOfFrames; f++) {
    // BitsAllocated 1: frames are packed bit after bit (PS3.5 8.1.1); a frame that does not start on a
    // byte boundary gets the bytes that hold its bits.
    const startBit = f * pixelsPerFrame * g.bitsAllocated;
    const endBit = startBit + pixelsPerFrame * g.bitsAllocated;
    const start = Math.floor(startBit / 8);
    const end = Math.ceil(endBit / 8);
    if (end > length) {
      warnings.push(`Pixel Data holds ${length} bytes, too few for ${g.numberOfFrames} frames: ${f} frames indexed`);
      break;
    }
    frames.push([{ offset: pixel.valueOffset + start, length: end - start }]);
  }
  if (g.bitsAllocated === 1 && (pixelsPerFrame % 8) !== 0 && g.numberOfFrames > 1) {
    warnings.push('1-bit frames do not start on byte boundaries: frame ranges include neighbouring bits');
  }
  return frames;
}

function fragmentRange(f: Fragment): ByteRange {
  return { offset: f.offset, length: f.length };
}

function byTable(pixel: PixelDataInfo, offsets: readonly number[]): ByteRange[][] | undefined {
  const frames: ByteRange[][] = offsets.map(() => []);
  let frame = -1;
  for (const fragment of pixel.fragments) {
    const relative = fragment.offset - ITEM_HEADER - pixel.firstFragmentItem;
    while (frame + 1 < offsets.length && (offsets[frame + 1] ?? Infinity) <= relative) frame++;
    if (frame < 0) return undefined;
    frames[frame]?.push(fragmentRange(fragment));
  }
  return frames.every((f) => f.length > 0) ? frames : undefined;
}

function byMarkers(pixel: PixelDataInfo): ByteRange[][] {
  const frames: ByteRange[][] = [];
  for (const fragment of pixel.fragments) {
    const starts = fragment.marker === JPEG_SOI || fragment.marker === J2K_SOC;
    const current = frames[frames.length - 1];
    if (starts || !current) frames.push([fragmentRange(fragment)]);
    else current.push(fragmentRange(fragment));
  }
  return frames;
}

function encapsulatedFrames(pixel: PixelDataInfo, g: ImageGeometry, warnings: string[]): ByteRange[][] {
  const count = g.numberOfFrames;
  const table = g.extendedOffsets && g.extendedOffsets.length > 0 ? g.extendedOffsets : pixel.basicOffsetTable;
  if (pixel.fragments.length === 0) {
    warnings.push('encapsulated Pixel Data without fragments');
    return [];
  }
  if (table.length > 0) {
    const frames = table.length === count ? byTable(pixel, table) : undefined;
    if (frames) return frames;
    warnings.push('offset table does not match the fragments or NumberOfFrames: frames found without it');
  }
  if (pixel.fragments.length === count) return pixel.fragments.map((f) => [fragmentRange(f)]);
  if (count === 1) return [pixel.fragments.map(fragmentRange)];
  const frames = byMarkers(pixel);
  if (frames.length === count) return frames;
  warnings.push(`cannot tell ${count} frames apart among ${pixel.fragments.length} fragments: frames not indexed`);
  return [];
}
