// Series thumbnails a hospital edge rendered and uploaded (table `series_thumbnails`, lib/edge/edge-schema.ts),
// kept as city blobs: the city shows a distributed-storage series without asking the hospital.
import type { IndexEngine } from '../index-model/index-engine.ts';

export interface StoredThumbnail {
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: string;
}

export async function readSeriesThumbnail(engine: IndexEngine, studyInstanceUid: string, seriesInstanceUid: string): Promise<StoredThumbnail | undefined> {
  const row = await engine.get('series_thumbnails', { study_uid: studyInstanceUid, series_uid: seriesInstanceUid });
  if (!row || typeof row.sha256 !== 'string') return undefined;
  return { sha256: row.sha256, size: typeof row.size === 'number' ? row.size : 0, mediaType: typeof row.media_type === 'string' ? row.media_type : 'image/jpeg' };
}
