// A minimal PNG encoder (ISO/IEC 15948: IHDR, one IDAT compressed with node:zlib, IEND) for 8-bit grey
// and RGB rasters: no palette, no interlace, filter type 0 per row (what thumbnails and viewers need).
import { crc32, deflateSync } from 'node:zlib';
import type { Raster } from './resize-image.ts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export function encodePng(image: Raster): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(image.width, 0);
  ihdr.writeUInt32BE(image.height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = image.channels === 1 ? 0 : 2; // grey or truecolour
  const stride = image.width * image.channels;
  const filtered = Buffer.alloc((stride + 1) * image.height);
  for (let y = 0; y < image.height; y++) {
    filtered[y * (stride + 1)] = 0;
    filtered.set(image.data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(filtered, { level: 6 })), chunk('IEND', new Uint8Array(0))]);
}
