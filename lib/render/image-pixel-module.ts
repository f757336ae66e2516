// The attributes of the Image Pixel Module (PS3.3 C.7.6.3), the Modality LUT (C.11.1: rescale) and the
// VOI LUT (C.11.2: window) that rendering needs, read from an instance's DICOM JSON.
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';

export interface ImagePixelModule {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly photometric: string;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: 0 | 1;
  /** 0: colour-by-pixel (RGBRGB...), 1: colour-by-plane (RR..GG..BB..). */
  readonly planarConfiguration: 0 | 1;
  readonly numberOfFrames: number;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  /** Windows from the header, first one preferred (PS3.3 C.11.2.1.2). */
  readonly windows: readonly { readonly center: number; readonly width: number }[];
}

function numbers(dataset: DicomJsonDataset, tag: string): number[] {
  const values = dataset[tag]?.Value ?? [];
  return values.map((v) => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN)).filter(Number.isFinite);
}

function first(dataset: DicomJsonDataset, tag: string): number | undefined {
  return numbers(dataset, tag)[0];
}

function text(dataset: DicomJsonDataset, tag: string): string | undefined {
  const v = dataset[tag]?.Value?.[0];
  return typeof v === 'string' ? v.trim() : undefined;
}

/** Undefined when the dataset is not an image this module can describe (no rows/columns/bits). */
export function readImagePixelModule(dataset: DicomJsonDataset): ImagePixelModule | undefined {
  const rows = first(dataset, '00280010');
  const columns = first(dataset, '00280011');
  const bitsAllocated = first(dataset, '00280100');
  if (!rows || !columns || !bitsAllocated) return undefined;
  const centers = numbers(dataset, '00281050');
  const widths = numbers(dataset, '00281051');
  const windows = centers.flatMap((center, i) => {
    const width = widths[i] ?? widths[0];
    return width !== undefined && width >= 1 ? [{ center, width }] : [];
  });
  return {
    rows, columns, bitsAllocated,
    samplesPerPixel: first(dataset, '00280002') ?? 1,
    photometric: text(dataset, '00280004') ?? 'MONOCHROME2',
    bitsStored: first(dataset, '00280101') ?? bitsAllocated,
    pixelRepresentation: first(dataset, '00280103') === 1 ? 1 : 0,
    planarConfiguration: first(dataset, '00280006') === 1 ? 1 : 0,
    numberOfFrames: Math.max(1, first(dataset, '00280008') ?? 1),
    rescaleSlope: first(dataset, '00281053') ?? 1,
    rescaleIntercept: first(dataset, '00281052') ?? 0,
    windows,
  };
}
