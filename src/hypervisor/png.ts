import { deflateSync } from 'node:zlib';

/**
 * A minimal PNG encoder (PNG spec, ISO/IEC 15948: signature, IHDR, one IDAT, IEND; 8-bit RGB, filter 0): the test
 * driver's screenshots (so that every layer above a driver handles a real PNG without a guest) and the libvirt
 * driver's, whose QEMU gives a PPM.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as PNG's chunks use it (§5.5). */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes an RGB image (`pixel(x, y)` gives `[r, g, b]`) as PNG.
 *
 * @example
 * const png = encodePng(4, 3, (x, y) => [x * 60, y * 80, 128]);
 */
export function encodePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => readonly [number, number, number],
): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set(pixel(x, y), (y * width + x) * 3);
  return encodePngRgb(width, height, rgb);
}

/**
 * Encodes packed 8-bit RGB rows (`width * height * 3` bytes, top row first) as PNG.
 *
 * @example
 * const png = encodePngRgb(2, 1, Uint8Array.of(255, 0, 0, 0, 0, 255)); // a red and a blue pixel
 */
export function encodePngRgb(width: number, height: number, rgb: Uint8Array): Uint8Array {
  if (rgb.length !== width * height * 3)
    throw new RangeError(`${rgb.length} bytes are not ${width}x${height} RGB pixels`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, filter method 0, no interlace
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1); // each row: filter type 0 (None), then its pixels
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([
      signature,
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', new Uint8Array()),
    ]),
  );
}

/**
 * The width and height of a PNG (from its IHDR), or undefined when the bytes are not a PNG.
 *
 * @example
 * pngSize(encodePng(4, 3, () => [0, 0, 0])); // { width: 4, height: 3 }
 */
export function pngSize(png: Uint8Array): { width: number; height: number } | undefined {
  const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (b.length < 33 || b.readUInt32BE(0) !== 0x89504e47 || b.toString('latin1', 12, 16) !== 'IHDR')
    return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
