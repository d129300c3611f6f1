import { HypervisorError } from '../errors.js';
import { encodePngRgb } from '../png.js';

/** The largest side of a screenshot taken (QEMU's displays stop well below: 16384 is past any VGA mode). */
export const MAX_SCREEN_SIDE = 16_384;

function bad(message: string): HypervisorError {
  return new HypervisorError('LIBVIRT_FAILED', `The screenshot is not a PPM image: ${message}`);
}

/**
 * Converts a binary PPM (netpbm P6, what QEMU's screendump writes and libvirt streams for virDomainScreenshot)
 * into PNG: the header (`P6`, width, height, maxval, each after whitespace or `#` comments, then one whitespace
 * byte) is read with every number bounded, the pixel data must be exactly width x height x 3 samples (one byte
 * each when maxval < 256, two big-endian bytes otherwise), and samples are scaled to 8 bits. Anything else is
 * refused with what is wrong, never read past.
 *
 * @example
 * ppmToPng(Buffer.concat([Buffer.from('P6\n1 1\n255\n'), Buffer.from([255, 0, 0])])); // a red pixel, as PNG
 */
export function ppmToPng(ppm: Uint8Array): Uint8Array {
  const b = Buffer.from(ppm.buffer, ppm.byteOffset, ppm.byteLength);
  if (b.length < 2 || b[0] !== 0x50 || b[1] !== 0x36) throw bad('it does not start with "P6"');
  let at = 2;
  const isSpace = (c: number | undefined) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  const number = (what: string, max: number): number => {
    for (;;) {
      // whitespace, and comments from # to the end of the line, before each number
      while (isSpace(b[at])) at++;
      if (b[at] !== 0x23) break;
      while (at < b.length && b[at] !== 0x0a) at++;
    }
    const start = at;
    while (at < b.length && b[at]! >= 0x30 && b[at]! <= 0x39 && at - start < 6) at++;
    if (at === start) throw bad(`no ${what} at byte ${start}`);
    if (b[at]! >= 0x30 && b[at]! <= 0x39) throw bad(`${what} at byte ${start} has more than 6 digits`);
    const n = Number(b.toString('latin1', start, at));
    if (n < 1 || n > max) throw bad(`${what} ${n} is out of range (1..${max})`);
    return n;
  };
  const width = number('width', MAX_SCREEN_SIDE);
  const height = number('height', MAX_SCREEN_SIDE);
  const maxval = number('maxval', 65_535);
  if (!isSpace(b[at])) throw bad(`no whitespace after the maxval at byte ${at}`);
  at++;
  const bytes = maxval < 256 ? 1 : 2;
  const samples = width * height * 3;
  if (b.length - at !== samples * bytes) {
    throw bad(`${width}x${height} pixels need ${samples * bytes} bytes of data, it has ${b.length - at}`);
  }
  const rgb = new Uint8Array(samples);
  if (bytes === 1 && maxval === 255) rgb.set(b.subarray(at));
  else {
    for (let i = 0; i < samples; i++) {
      const v = bytes === 1 ? b[at + i]! : b.readUInt16BE(at + 2 * i);
      rgb[i] = Math.round((Math.min(v, maxval) * 255) / maxval);
    }
  }
  return encodePngRgb(width, height, rgb);
}
