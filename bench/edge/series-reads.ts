// What a viewer does when it opens a series, timed: the series metadata then frame 1 (time to first
// frame), and every frame of the series with a few requests in flight (throughput). Each frame is
// checked against the pixels sent and counted by the source the city names (X-Yunying-Source): a fast
// wrong answer, or an answer from another source than the row claims, is not a result.
import { fetchFrame, seriesMetadata, type Reader } from '../../test/edge/dicomweb-reads.ts';
import { framePixels, type SentInstance } from '../../test/edge/edge-data.ts';

export interface FirstFrame {
  /** Series metadata and then frame 1 of the first instance, in milliseconds. */
  readonly ms: number;
  readonly metadataMs: number;
  readonly frameMs: number;
  readonly source: string;
}

export interface SeriesRead {
  readonly frames: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly mbPerSecond: number;
  readonly framesPerSecond: number;
  /** Frames per X-Yunying-Source value ('none' when the header was absent). */
  readonly sources: Readonly<Record<string, number>>;
}

export async function timeFirstFrame(r: Reader, series: readonly SentInstance[]): Promise<FirstFrame> {
  const first = series[0];
  if (!first) throw new Error('empty series');
  const started = performance.now();
  const meta = await seriesMetadata(r, first.studyInstanceUid, first.seriesInstanceUid, 120_000);
  if (meta.status !== 200) throw new Error(`series metadata: HTTP ${meta.status}`);
  const frame = await fetchFrame(r, first, 1, 120_000);
  if (frame.status !== 200) throw new Error(`frame 1: HTTP ${frame.status} ${frame.value.toString().slice(0, 300)}`);
  if (!frame.value.equals(framePixels(first, 1))) throw new Error('frame 1: bytes differ from the pixels sent');
  return { ms: performance.now() - started, metadataMs: meta.ms, frameMs: frame.ms, source: frame.source ?? 'none' };
}

/** Every frame of every instance, `inFlight` requests at a time, each checked byte for byte. */
export async function readSeries(r: Reader, series: readonly SentInstance[], inFlight: number): Promise<SeriesRead> {
  const jobs = series.flatMap((i) => Array.from({ length: i.frames }, (_, k) => ({ instance: i, n: k + 1 })));
  const expected = new Map(jobs.map((j) => [j, framePixels(j.instance, j.n)]));
  const sources: Record<string, number> = {};
  let bytes = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (!job) break;
      const f = await fetchFrame(r, job.instance, job.n, 120_000);
      if (f.status !== 200) throw new Error(`frame ${job.n} of ${job.instance.sopInstanceUid}: HTTP ${f.status} ${f.value.toString().slice(0, 300)}`);
      if (!f.value.equals(expected.get(job) ?? Buffer.alloc(0))) throw new Error(`frame ${job.n} of ${job.instance.sopInstanceUid}: bytes differ from the pixels sent`);
      bytes += f.value.length;
      const source = f.source ?? 'none';
      sources[source] = (sources[source] ?? 0) + 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { frames: jobs.length, bytes, seconds, mbPerSecond: bytes / 1e6 / seconds, framesPerSecond: jobs.length / seconds, sources };
}
