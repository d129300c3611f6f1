/** ISO 9660 images: the primary volume descriptor at 32 KiB gives the volume size. Read as raw by QEMU. */
import type { ProbeContext } from './probe-context.js';
import type { ProbeResult } from './types.js';

/** Probes an ISO 9660 image; the virtual size is the file size. */
export async function probeIso(
  ctx: ProbeContext,
): Promise<Omit<ProbeResult, 'path' | 'fileSize' | 'references'>> {
  const { head: b, file, problems: p } = ctx;
  const pvd = 0x8000;
  const details: ProbeResult['details'] = {};
  if (b.length >= pvd + 0x82 && b[pvd] === 1) {
    details.volumeId = b.toString('latin1', pvd + 40, pvd + 72).trim();
    const blocks = b.readUInt32LE(pvd + 80);
    const blockSize = b.readUInt16LE(pvd + 128);
    details.volumeSize = blocks * blockSize;
    if (blocks * blockSize > file.size)
      p.error(
        'ISO_TRUNCATED',
        `The volume has ${blocks * blockSize} bytes, the file only ${file.size}`,
        pvd + 80,
      );
  }
  return { format: 'iso', virtualSize: file.size, allocatedSize: file.allocated, details, problems: p.list };
}
