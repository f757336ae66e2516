// Rendered and thumbnail resources (PS3.18 8.3.5, 10.4.1.1.3): one frame decoded, windowed, cropped and
// scaled to the viewport, encoded as JPEG (jpeg-js) or PNG. Parameters arrive as PS3.18 8.3.5.1 spells
// them: `window=center,width[,function]`, `viewport=vw,vh[,sx,sy,sw,sh]`, `quality=1..100`.
import { encode as encodeJpeg } from 'jpeg-js';
import { applyWindow, frameRangeWindow, type VoiFunction, type Window } from './apply-window.ts';
import { decodeFrame } from './decode-frame.ts';
import type { ImagePixelModule } from './image-pixel-module.ts';
import { encodePng } from './encode-png.ts';
import { cropRaster, fitSize, resizeRaster, type Raster, type Rect } from './resize-image.ts';

export type RenderMediaType = 'image/jpeg' | 'image/png';

export interface RenderParams {
  readonly window?: Window;
  readonly viewport?: { readonly width: number; readonly height: number; readonly source?: Rect };
  readonly quality: number;
}

export type RenderParamProblem = { readonly parameter: 'window' | 'viewport' | 'quality' };

const VOI_FUNCTIONS: Readonly<Record<string, VoiFunction>> = { linear: 'linear', 'linear-exact': 'linear-exact', sigmoid: 'sigmoid' };
const MAX_VIEWPORT = 8192;

function parseNumbers(raw: string): number[] | undefined {
  const parts = raw.split(',');
  const values = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  return values.every(Number.isFinite) ? values : undefined;
}

function parseWindow(raw: string): Window | undefined {
  const [c, w, fn = 'linear'] = raw.split(',');
  const center = Number(c);
  const width = Number(w);
  const voi = VOI_FUNCTIONS[fn.trim().toLowerCase()];
  if (!Number.isFinite(center) || !Number.isFinite(width) || width < 1 || !voi || c?.trim() === '' || w?.trim() === '') return undefined;
  return { center, width, fn: voi };
}

function parseViewport(raw: string): RenderParams['viewport'] {
  const n = parseNumbers(raw);
  if (!n || (n.length !== 2 && n.length !== 6)) return undefined;
  const [width = 0, height = 0, x = 0, y = 0, sw = 0, sh = 0] = n;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_VIEWPORT || height > MAX_VIEWPORT) return undefined;
  // Negative source sizes ask for flips (PS3.18 8.3.5.1.3): not offered.
  if (n.length === 6 && (x < 0 || y < 0 || sw <= 0 || sh <= 0)) return undefined;
  return n.length === 6 ? { width, height, source: { x, y, width: sw, height: sh } } : { width, height };
}

/** Parses the rendering parameters of a request; `defaultViewport` applies to thumbnails. */
export function parseRenderParams(query: URLSearchParams, defaultViewport?: { width: number; height: number }): RenderParams | RenderParamProblem {
  const rawWindow = query.get('window');
  const rawViewport = query.get('viewport');
  const rawQuality = query.get('quality');
  const window = rawWindow === null ? undefined : parseWindow(rawWindow);
  if (rawWindow !== null && !window) return { parameter: 'window' };
  const viewport = rawViewport === null ? defaultViewport : parseViewport(rawViewport);
  if (rawViewport !== null && !viewport) return { parameter: 'viewport' };
  const quality = rawQuality === null ? 90 : Number(rawQuality);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) return { parameter: 'quality' };
  return { quality, ...(window ? { window } : {}), ...(viewport ? { viewport } : {}) };
}

function toRaster(bytes: Uint8Array, m: ImagePixelModule, transferSyntaxUid: string, params: RenderParams): Raster {
  const frame = decodeFrame(bytes, m, transferSyntaxUid);
  if (frame.kind === 'rgb') return { width: frame.width, height: frame.height, channels: 3, data: frame.data };
  const header = m.windows[0];
  const window = params.window ?? (header ? { ...header, fn: 'linear' as const } : frameRangeWindow(frame.values));
  return { width: frame.width, height: frame.height, channels: 1, data: applyWindow(frame.values, window, frame.inverted) };
}

function toRgba(image: Raster): Uint8Array {
  const out = new Uint8Array(image.width * image.height * 4);
  for (let i = 0; i < image.width * image.height; i++) {
    const at = i * image.channels;
    out[4 * i] = image.data[at] ?? 0;
    out[4 * i + 1] = image.data[image.channels === 3 ? at + 1 : at] ?? 0;
    out[4 * i + 2] = image.data[image.channels === 3 ? at + 2 : at] ?? 0;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Renders one frame's stored bytes (throws RenderError for what it cannot decode). */
export function renderFrame(bytes: Uint8Array, m: ImagePixelModule, transferSyntaxUid: string, params: RenderParams, mediaType: RenderMediaType): Buffer {
  let image = toRaster(bytes, m, transferSyntaxUid, params);
  const viewport = params.viewport;
  if (viewport?.source) image = cropRaster(image, viewport.source);
  if (viewport) {
    const size = fitSize(image.width, image.height, viewport.width, viewport.height);
    image = resizeRaster(image, size.width, size.height);
  }
  if (mediaType === 'image/png') return encodePng(image);
  return encodeJpeg({ width: image.width, height: image.height, data: toRgba(image) }, params.quality).data;
}
