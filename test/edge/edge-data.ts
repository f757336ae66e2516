// Generated DICOM for the edge tests and bench: series of native 16-bit CT images written as Part 10
// files, each instance with pixels of its own (random bytes in place of the builder's pattern, which
// repeats across instances), so a frame served for the wrong instance cannot pass a byte comparison.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataSetOffset } from '../../lib/dimse/file-meta.ts';
import { buildDicom, nativeFrameBytes, newUid } from '../helpers/dicom-builder.ts';

export interface SentInstance {
  readonly file: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  /** Pixel bytes of each frame, as the file holds them. */
  readonly frameBytes: number;
  readonly frames: number;
}

export interface SeriesShape {
  readonly studies: number;
  /** Instances per study (one series per study). */
  readonly perStudy: number;
  readonly rows: number;
  readonly columns: number;
  readonly frames?: number;
}

/** Writes the instances into `dir` and returns them in the order written. */
export function writeSeries(dir: string, shape: SeriesShape, label: string): SentInstance[] {
  mkdirSync(dir, { recursive: true });
  const out: SentInstance[] = [];
  const frames = shape.frames ?? 1;
  const pixels = { rows: shape.rows, columns: shape.columns, frames, bitsAllocated: 16 };
  const frameBytes = nativeFrameBytes(pixels);
  for (let s = 0; s < shape.studies; s++) {
    const studyInstanceUid = newUid();
    const seriesInstanceUid = newUid();
    for (let i = 0; i < shape.perStudy; i++) {
      const sopInstanceUid = newUid();
      const bytes = buildDicom({
        attributes: {
          SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', Modality: 'CT', StudyInstanceUID: studyInstanceUid,
          SeriesInstanceUID: seriesInstanceUid, SOPInstanceUID: sopInstanceUid, PatientID: `EDGE-${label}-${s}`,
          PatientName: `Edge^${label}${s}`, StudyDate: '20261203', StudyTime: '120000', AccessionNumber: `A${label}${s}`,
          SeriesNumber: 1, InstanceNumber: i + 1, ImagePositionPatient: [0, 0, i], SliceThickness: 1,
        },
        pixels,
      });
      // Pixel Data is the last element and its length is even: overwrite its value in place.
      randomBytes(frameBytes * frames).copy(bytes, bytes.length - frameBytes * frames);
      const file = join(dir, `${label}-${s}-${String(i).padStart(4, '0')}.dcm`);
      writeFileSync(file, bytes);
      out.push({ file, studyInstanceUid, seriesInstanceUid, sopInstanceUid, frameBytes, frames });
    }
  }
  return out;
}

/** The data set of a Part 10 file or object (what C-STORE carries; the meta header is the receiver's). */
export function dataSetBytes(bytes: Buffer): Buffer {
  return bytes.subarray(dataSetOffset(bytes) ?? 0);
}

/** Frame `n` (1-based) of a sent instance, from its file. */
export function framePixels(instance: SentInstance, n: number): Buffer {
  const bytes = readFileSync(instance.file);
  const start = bytes.length - instance.frameBytes * instance.frames + instance.frameBytes * (n - 1);
  return bytes.subarray(start, start + instance.frameBytes);
}

export interface SendReport {
  readonly exitCode: number | null;
  /** Instances the peer answered with status SUCCESS (warnings are not counted as successes). */
  readonly success: number;
  /** Instances answered with any other status, or not sent at all. */
  readonly notSuccess: number;
  readonly report: string;
}

/** `dcmsend` of every file of `dir` on one association (the PACS of the tests); fails (never skips)
 * when DCMTK is missing. Asynchronous, so the test can freeze and kill nodes while it runs. */
export async function dcmsendDir(dir: string, peer: { readonly port: number; readonly aeTitle: string }): Promise<SendReport> {
  const reportFile = join(dir, '..', `dcmsend-${randomBytes(4).toString('hex')}.txt`);
  const child = spawn('dcmsend', ['-aet', 'PACS', '-aec', peer.aeTitle, '127.0.0.1', String(peer.port), '+sd', '-nh', '-to', '60', '+crf', reportFile, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000); });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error('dcmsend is not installed: apt-get install -y dcmtk') : error));
    child.on('exit', (code) => resolve(code));
  });
  let report: string;
  try { report = readFileSync(reportFile, 'utf8'); } catch { report = stderr; }
  let success = 0;
  let other = 0;
  for (const m of report.matchAll(/\* with status (\w+)\s*: (\d+)/g)) {
    if (m[1] === 'SUCCESS') success += Number(m[2]);
    else other += Number(m[2]);
  }
  const total = Number(/Number of SOP instances\s*: (\d+)/.exec(report)?.[1] ?? success + other);
  return { exitCode, success, notSuccess: Math.max(other, total - success), report };
}
