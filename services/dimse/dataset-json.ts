// dcmjs-dimse hands data sets over "naturalized" (keyword -> value, dcmjs's form); the catalog and the
// query model speak DICOM JSON (tag -> { vr, Value }). These two functions translate, for the small
// identifiers and responses of C-FIND/C-MOVE/C-GET only; stored objects never pass through here.
import type { DicomJsonDataset, DicomJsonElement, DicomJsonValue } from '../../lib/dicom/dicom-json.ts';
import { keywordOf, tagOf, vrOf } from '../../lib/dicom/dictionary.ts';

export type Naturalized = Record<string, unknown>;

const HEX_TAG = /^[0-9A-F]{8}$/;

function toJsonValue(vr: string, value: unknown): DicomJsonValue | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (vr === 'PN') {
    if (typeof value === 'object') return value;
    return typeof value === 'string' ? { Alphabetic: value } : undefined;
  }
  if (vr === 'SQ') return typeof value === 'object' ? naturalizedToJson(value as Naturalized) : undefined;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return undefined;
}

export function naturalizedToJson(dataset: Naturalized): DicomJsonDataset {
  const out: Record<string, DicomJsonElement> = {};
  for (const [key, raw] of Object.entries(dataset)) {
    if (key === '_vrMap' || key === '_meta') continue;
    const tag = tagOf(key) ?? (HEX_TAG.test(key.toUpperCase()) ? key.toUpperCase() : undefined);
    if (tag === undefined) continue;
    const vr = vrOf(tag);
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => toJsonValue(vr, v)).filter((v) => v !== undefined);
    out[tag] = values.length > 0 ? { vr, Value: values } : { vr };
  }
  return out;
}

function fromJsonValue(vr: string, value: DicomJsonValue): unknown {
  if (vr === 'SQ') return jsonToNaturalized(value as DicomJsonDataset);
  return value;
}

/** Elements without a keyword (private, unknown) are left out: dcmjs cannot write them by tag. */
export function jsonToNaturalized(dataset: DicomJsonDataset): Naturalized {
  const out: Naturalized = {};
  for (const [tag, element] of Object.entries(dataset)) {
    const keyword = keywordOf(tag);
    if (keyword === undefined || element.BulkDataURI !== undefined || element.InlineBinary !== undefined) continue;
    const values = (element.Value ?? []).map((v) => fromJsonValue(element.vr, v));
    if (element.vr === 'SQ' || element.vr === 'PN') out[keyword] = values;
    else out[keyword] = values.length === 0 ? '' : values.length === 1 ? values[0] : values;
  }
  return out;
}
