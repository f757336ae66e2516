// Viewport handling for rendered resources (PS3.18 8.3.5.1.3): crop to the source rectangle, then
// scale to fit the viewport keeping the aspect ratio. Downscaling averages the source pixels each output
// pixel covers (a box filter: thumbnails stay smooth); upscaling takes the nearest pixel.
export interface Raster {
  readonly width: number;
  readonly height: number;
  /** 1 (grey) or 3 (RGB) channels, 8 bits each, row-major. */
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export function cropRaster(image: Raster, rect: Rect): Raster {
  const x0 = Math.max(0, Math.min(image.width, Math.round(rect.x)));
  const y0 = Math.max(0, Math.min(image.height, Math.round(rect.y)));
  const width = Math.max(1, Math.min(image.width - x0, Math.round(rect.width)));
  const height = Math.max(1, Math.min(image.height - y0, Math.round(rect.height)));
  const c = image.channels;
  const data = new Uint8Array(width * height * c);
  for (let row = 0; row < height; row++) {
    const start = ((y0 + row) * image.width + x0) * c;
    data.set(image.data.subarray(start, start + width * c), row * width * c);
  }
  return { width, height, channels: c, data };
}

/** The largest size with the image's aspect ratio that fits within `maxWidth` x `maxHeight`. */
export function fitSize(width: number, height: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
  const scale = Math.min(maxWidth / width, maxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export function resizeRaster(image: Raster, width: number, height: number): Raster {
  if (width === image.width && height === image.height) return image;
  const c = image.channels;
  const data = new Uint8Array(width * height * c);
  const sx = image.width / width;
  const sy = image.height / height;
  const sums = new Float64Array(c);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.min(image.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.min(image.width, Math.floor((x + 1) * sx)));
      sums.fill(0);
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const at = (yy * image.width + xx) * c;
          for (let k = 0; k < c; k++) sums[k] = (sums[k] ?? 0) + (image.data[at + k] ?? 0);
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      for (let k = 0; k < c; k++) data[(y * width + x) * c + k] = Math.round((sums[k] ?? 0) / n);
    }
  }
  return { width, height, channels: c, data };
}
