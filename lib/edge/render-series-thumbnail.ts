// The thumbnail a distributed-storage edge sends for each series: the first frame of the series' middle
// image, as JPEG, at the size DICOMweb thumbnails have (services/dicomweb/render-routes.ts). Undefined
// when the series has no image or its transfer syntax cannot be rendered: the city then has none.
import type { Catalog } from '../archive/catalog.ts';
import type { BlobStore } from '../blob-store/blob-store.ts';
import { canRender, RenderError } from '../render/decode-frame.ts';
import { readImagePixelModule } from '../render/image-pixel-module.ts';
import { renderFrame } from '../render/render-frame.ts';

export const THUMBNAIL_SIZE = { width: 128, height: 128 } as const;
const THUMBNAIL_QUALITY = 90;

export async function renderSeriesThumbnail(catalog: Catalog, blobs: BlobStore, studyInstanceUid: string, seriesInstanceUid: string): Promise<Buffer | undefined> {
  const images = (await catalog.listInstances(studyInstanceUid, seriesInstanceUid)).filter((r) => r.frames.length > 0);
  const record = images[Math.floor(images.length / 2)];
  const module = record ? readImagePixelModule(record.dataset) : undefined;
  const ranges = record?.frames[0];
  if (!record || !module || !ranges || !canRender(record.transferSyntaxUid)) return undefined;
  const chunks: Uint8Array[] = [];
  for (const range of ranges) {
    for await (const chunk of await blobs.open(record.sha256, range)) chunks.push(chunk as Uint8Array);
  }
  try {
    return renderFrame(Buffer.concat(chunks), module, record.transferSyntaxUid, { quality: THUMBNAIL_QUALITY, viewport: THUMBNAIL_SIZE }, 'image/jpeg');
  } catch (error) {
    if (error instanceof RenderError) return undefined;
    throw error;
  }
}
