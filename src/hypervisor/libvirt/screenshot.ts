import type { LibvirtStream, RemoteNonnullDomain } from '../../libvirt/index.js';
import { HypervisorError } from '../errors.js';
import { pngSize } from '../png.js';
import type { DomainLookup } from './lookup.js';
import { MAX_SCREEN_SIDE, ppmToPng } from './ppm.js';

/**
 * The most bytes a screenshot stream may carry: the largest PPM {@link ppmToPng} takes (16384 x 16384 x 3 bytes
 * of 16-bit samples would be 1.5 GiB, so the bound is what a real display gives with room: 4K RGB is 24 MiB).
 */
export const MAX_SCREENSHOT_BYTES = 64 << 20;

/** Reads a stream to its end into one buffer, aborting it (and failing) past `max` bytes. */
async function readAll(s: LibvirtStream, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      s.on('data', (c: Buffer) => {
        total += c.length;
        if (total <= max) chunks.push(c);
        else {
          reject(
            new HypervisorError(
              'LIBVIRT_FAILED',
              `${what}: libvirtd sent more than ${max} bytes; the stream was aborted`,
            ),
          );
          void s.abort();
        }
      });
      s.once('end', resolve);
      s.once('error', reject);
    });
    s.end(); // virStreamFinish; the daemon confirms with its final status
    await s.done;
  } catch (e) {
    s.destroy();
    throw e;
  }
  return Buffer.concat(chunks);
}

/**
 * The display of a running domain as PNG (virDomainScreenshot, screen 0): libvirt answers with the image's MIME
 * type and streams the image; QEMU's is a PPM (converted here with {@link ppmToPng}), a PNG (what newer QEMUs and
 * libvirt's test driver give) is passed on once its header reads. The stream is bounded
 * ({@link MAX_SCREENSHOT_BYTES}) and any other type is refused, so a hostile daemon cannot make the driver
 * buffer without end or hand on what is not an image.
 *
 * @example
 * const png = await screenshotPng(look, dom);
 */
export async function screenshotPng(
  look: DomainLookup,
  dom: RemoteNonnullDomain,
  max = MAX_SCREENSHOT_BYTES,
): Promise<Uint8Array> {
  const what = `Cannot take a screenshot of "${dom.name}"`;
  let mime = '';
  const s = await look.call(what, () =>
    look.client().openStream('DOMAIN_SCREENSHOT', { dom, screen: 0, flags: 0 }, (r) => {
      mime = r.mime ?? '';
    }),
  );
  const bytes = await look.call(what, () => readAll(s, max, what));
  if (/^image\/(x-portable-pixmap|x-ppm)$/i.test(mime)) return ppmToPng(bytes);
  if (/^image\/png$/i.test(mime)) {
    const size = pngSize(bytes);
    if (size === undefined || size.width > MAX_SCREEN_SIDE || size.height > MAX_SCREEN_SIDE)
      throw new HypervisorError('LIBVIRT_FAILED', `${what}: libvirtd's image/png is not a PNG of a screen`);
    return new Uint8Array(bytes);
  }
  throw new HypervisorError(
    'LIBVIRT_FAILED',
    `${what}: libvirtd sent an image of type "${mime}", not PPM or PNG`,
  );
}
