// Our DICOM JSON against pydicom's (Dataset.to_json_dict, PS3.18 F.2) for sample files of every
// encoding. Known, deliberate differences are normalised first: pydicom writes empty sequences as
// Value [] and a PN of only carets as a value, keeps trailing spaces of multi-valued CS, and reads
// elements after Pixel Data; we omit the first two (PS3.18 F.2.5: no value, no Value) and do not read
// past Pixel Data.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DicomJsonDataset, DicomJsonElement, DicomJsonValue } from '../../lib/dicom/dicom-json.ts';
import { readInChunks } from './read-in-chunks.ts';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data';
const FILES = [
  'test_files/CT_small.dcm', 'test_files/MR_small.dcm', 'test_files/MR_small_implicit.dcm', 'test_files/MR_small_bigendian.dcm',
  'test_files/test-SR.dcm', 'test_files/reportsi.dcm', 'test_files/waveform_ecg.dcm', 'test_files/liver_1frame.dcm',
  'test_files/SC_rgb_rle_2frame.dcm', 'test_files/rtdose_rle.dcm', 'test_files/JPEG2000.dcm',
  'charset_files/chrH31.dcm', 'charset_files/chrX2.dcm', 'charset_files/chrI2.dcm', 'charset_files/chrGreek.dcm',
].map((f) => join(PYDICOM, f));

const SCRIPT = `
import sys, json, pydicom
out = {}
for path in sys.argv[1:]:
    out[path] = pydicom.dcmread(path).to_json_dict(bulk_data_threshold=1024, bulk_data_element_handler=lambda e: 'bulk')
print(json.dumps(out))
`;

type Loose = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string; BulkDataURI?: string }>;

function normalizeValue(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/ +$/, '');
  if (typeof value === 'object' && value !== null && !('Alphabetic' in value || 'Ideographic' in value || 'Phonetic' in value)) return normalize(value as Loose);
  return value;
}

function normalize(dataset: Loose | DicomJsonDataset): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [tag, element] of Object.entries(dataset as Loose)) {
    const key = tag.toUpperCase();
    if (key.startsWith('0002') || key.endsWith('0000') || key === '7FE00010' || key.startsWith('FFFC')) continue;
    const values = (element.Value ?? []).map(normalizeValue).filter((v) => !(typeof v === 'object' && v !== null && 'Alphabetic' in v && /^\^*$/.test(String((v as { Alphabetic: string }).Alphabetic))));
    out[key] = {
      vr: element.vr,
      ...(values.length > 0 ? { Value: values } : {}),
      ...(element.InlineBinary ? { InlineBinary: element.InlineBinary } : {}),
      ...(element.BulkDataURI ? { BulkDataURI: 'bulk' } : {}),
    };
  }
  return out;
}

test('DICOM JSON equals pydicom\'s for sample files of every encoding', (t) => {
  const run = spawnSync('/usr/bin/python3', ['-c', SCRIPT, ...FILES], { maxBuffer: 1 << 28 });
  t.is(run.status, 0, `pydicom (python3-pydicom) must be installed: ${run.stderr.toString().slice(0, 300)}`);
  const reference = JSON.parse(run.stdout.toString()) as Record<string, Loose>;
  for (const file of FILES) {
    const ours = readInChunks(readFileSync(file), 4096, {}, false).dataset;
    const theirs = reference[file];
    t.truthy(theirs, file);
    t.deepEqual(normalize(ours), normalize(theirs ?? {}), file);
  }
});

test('a standard element sent as UN is read with its dictionary VR (rtdose_rle.dcm, written by GDCM)', (t) => {
  const parsed = readInChunks(readFileSync(join(PYDICOM, 'test_files/rtdose_rle.dcm')), 4096, {}, false);
  const sopClass: DicomJsonElement | undefined = parsed.dataset['00080016'];
  t.is(sopClass?.vr, 'UI');
  t.deepEqual(sopClass?.Value as DicomJsonValue[] | undefined, ['1.2.840.10008.5.1.4.1.1.481.2']);
});
