// Metadata responses (PS3.18 10.4.1.1.2, F.2.6): the index keeps bulk data as placeholders
// `bulk:<tag>:<offset>:<length>` (lib/dicom/parsed-instance.ts); a response turns each into a URI of
// the instance's bulkdata resource, `<instance>/bulkdata/<tag>/<offset>`. The placeholder is the
// authority: the bulkdata route serves only ranges a placeholder of the instance names, so the URI is
// opaque and cannot be used to read arbitrary bytes of a blob.
import type { ByteRange } from '../blob-store/blob-store.ts';
import type { DicomJsonDataset, DicomJsonElement } from '../dicom/dicom-json.ts';
import { instanceUrl } from './build-store-response.ts';

const PLACEHOLDER_IN_JSON = /"bulk:([0-9A-F]{8}):(\d+):(\d+)"/g;
const PLACEHOLDER = /^bulk:([0-9A-F]{8}):(\d+):(\d+)$/;

function firstString(element: DicomJsonElement | undefined): string | undefined {
  const v = element?.Value?.[0];
  return typeof v === 'string' ? v : undefined;
}

/** The instance URL of a dataset from its own UIDs (undefined when one is missing). */
export function datasetInstanceUrl(root: string, dataset: DicomJsonDataset): string | undefined {
  const study = firstString(dataset['0020000D']);
  const series = firstString(dataset['0020000E']);
  const sop = firstString(dataset['00080018']);
  return study && series && sop ? instanceUrl(root, study, series, sop) : undefined;
}

/** One dataset as JSON text with its placeholders rewritten (one stringify, one replace: series
 * metadata of thousands of instances stays cheap). Placeholders of a dataset without UIDs are dropped. */
export function serializeWithBulkDataUris(root: string, dataset: DicomJsonDataset): string {
  const base = datasetInstanceUrl(root, dataset);
  const json = JSON.stringify(dataset);
  return json.replace(PLACEHOLDER_IN_JSON, (_m, tag: string, offset: string) => JSON.stringify(base ? `${base}/bulkdata/${tag}/${offset}` : ''));
}

/** A JSON array of datasets, as series or study metadata returns it. */
export function serializeMetadata(root: string, datasets: Iterable<DicomJsonDataset>): string {
  const parts: string[] = [];
  for (const d of datasets) parts.push(serializeWithBulkDataUris(root, d));
  return `[${parts.join(',')}]`;
}

function* placeholders(dataset: DicomJsonDataset): Generator<{ tag: string; range: ByteRange }> {
  for (const element of Object.values(dataset)) {
    const m = element.BulkDataURI ? PLACEHOLDER.exec(element.BulkDataURI) : null;
    if (m) yield { tag: m[1] ?? '', range: { offset: Number(m[2]), length: Number(m[3]) } };
    for (const v of element.Value ?? []) {
      if (typeof v === 'object' && !('Alphabetic' in v || 'Ideographic' in v || 'Phonetic' in v)) yield* placeholders(v as DicomJsonDataset);
    }
  }
}

/** The byte range a bulkdata URI names, if the dataset has such a placeholder (nested ones too);
 * without an offset, the first element with that tag. */
export function findBulkData(dataset: DicomJsonDataset, tag: string, offset?: number): ByteRange | undefined {
  for (const p of placeholders(dataset)) {
    if (p.tag === tag.toUpperCase() && (offset === undefined || p.range.offset === offset)) return p.range;
  }
  return undefined;
}
