// The Image Pixel Module values frame indexing needs (PS3.3 C.7.6.3, C.7.6.6 NumberOfFrames, and the
// Extended Offset Table of PS3.3 C.7.6.3.1.8), read from the parsed header.
import type { DataSet } from 'dicom-parser';
import type { DicomJsonDataset } from './dicom-json.ts';
import type { ImageGeometry } from './compute-frames.ts';

function numberAt(json: DicomJsonDataset, tag: string): number | undefined {
  const value = json[tag]?.Value?.[0];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function extendedOffsets(dataSet: DataSet): number[] | undefined {
  const element = dataSet.elements.x7fe00001;
  if (!element || element.length === 0 || element.length % 8 !== 0) return undefined;
  const view = new DataView(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + element.dataOffset, element.length);
  const out: number[] = [];
  for (let at = 0; at < element.length; at += 8) out.push(Number(view.getBigUint64(at, true)));
  return out;
}

/** Native YBR_FULL_422 stores two samples per pixel on average (PS3.3 C.7.6.3.1.2: Y Y Cb Cr). */
function storedSamples(json: DicomJsonDataset): number {
  const samples = numberAt(json, '00280002') ?? 1;
  const photometric = json['00280004']?.Value?.[0];
  return photometric === 'YBR_FULL_422' && samples === 3 ? 2 : samples;
}

export function readGeometry(json: DicomJsonDataset, dataSet: DataSet, warnings: string[]): ImageGeometry {
  const frames = numberAt(json, '00280008');
  if (frames !== undefined && (frames < 1 || !Number.isInteger(frames))) warnings.push(`NumberOfFrames ${frames} is invalid: 1 assumed`);
  const offsets = extendedOffsets(dataSet);
  return {
    rows: numberAt(json, '00280010') ?? 0,
    columns: numberAt(json, '00280011') ?? 0,
    samplesPerPixel: storedSamples(json),
    bitsAllocated: numberAt(json, '00280100') ?? 0,
    numberOfFrames: frames !== undefined && frames >= 1 && Number.isInteger(frames) ? frames : 1,
    ...(offsets ? { extendedOffsets: offsets } : {}),
  };
}
