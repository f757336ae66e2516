// Greyscale presentation: the VOI LUT function (PS3.3 C.11.2.1.2: LINEAR, LINEAR_EXACT, SIGMOID) maps
// modality values to 8-bit grey; MONOCHROME1 is inverted afterwards. Without a window from the request
// or the header, the frame's own range is used (what viewers do for an unwindowed image).
export type VoiFunction = 'linear' | 'linear-exact' | 'sigmoid';

export interface Window {
  readonly center: number;
  readonly width: number;
  readonly fn: VoiFunction;
}

export function frameRangeWindow(values: Float32Array): Window {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return { center: 0, width: 1, fn: 'linear-exact' };
  return { center: (min + max) / 2, width: Math.max(1, max - min), fn: 'linear-exact' };
}

function mapper(w: Window): (x: number) => number {
  switch (w.fn) {
    case 'linear': {
      const low = w.center - 0.5 - (w.width - 1) / 2;
      const high = w.center - 0.5 + (w.width - 1) / 2;
      const span = Math.max(w.width - 1, 1e-9);
      return (x) => (x <= low ? 0 : x > high ? 255 : ((x - (w.center - 0.5)) / span + 0.5) * 255);
    }
    case 'linear-exact': {
      const low = w.center - w.width / 2;
      const high = w.center + w.width / 2;
      return (x) => (x <= low ? 0 : x > high ? 255 : ((x - w.center) / w.width + 0.5) * 255);
    }
    case 'sigmoid':
      return (x) => 255 / (1 + Math.exp(-4 * (x - w.center) / w.width));
  }
}

export function applyWindow(values: Float32Array, window: Window, inverted: boolean): Uint8Array {
  const map = mapper(window);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const y = Math.round(map(values[i] ?? 0));
    out[i] = inverted ? 255 - y : y;
  }
  return out;
}
