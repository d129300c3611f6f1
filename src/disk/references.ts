/**
 * External references: the names of other files (or parent images) an image asks its reader to open. They are
 * found natively, by magic number and whatever the rest of the header says, because a reader that follows
 * them (qemu-img, QEMU, VMware, Hyper-V, VirtualBox) would read a file the image's author chose. `qemu-img info`
 * is never asked: it may itself open the files it reports.
 */

import { vdiReferences, vhdReferences, vhdxReferences } from './parent-references.js';
import { qcowReferences, qedReferences } from './qcow-references.js';
import type { ByteSource, ImageReference } from './reference-kinds.js';
import { cowdReferences, sparseVmdkReferences, textVmdkReferences } from './vmdk/references.js';
import { isTextDescriptor } from './vmdk/text.js';

const magic = (b: Buffer, off: number, text: string) =>
  b.length >= off + text.length && b.toString('latin1', off, off + text.length) === text;

/**
 * Finds every external reference of the image whose first bytes are `head` (and last 512 bytes `tail`). Each
 * format that can hold one is checked whenever its magic is present, so a file that two formats would claim is
 * checked as both.
 *
 * @example
 * const refs = await findReferences(file, await file.read(0, 65536), undefined);
 * if (refs.length) throw new Error(`refers to ${refs[0].name}`);
 */
export async function findReferences(
  src: ByteSource,
  head: Buffer,
  tail: Buffer | undefined,
): Promise<ImageReference[]> {
  const out: ImageReference[] = [];
  if (magic(head, 0, 'KDMV')) out.push(...(await sparseVmdkReferences(src, head)));
  if (magic(head, 0, 'COWD')) out.push(...(await cowdReferences(src, head)));
  if (magic(head, 0, 'QFI\xfb')) out.push(...(await qcowReferences(src, head)));
  if (magic(head, 0, 'QED\0')) out.push(...(await qedReferences(src, head)));
  if (magic(head, 0, 'conectix') || (tail && magic(tail, 0, 'conectix')))
    out.push(...(await vhdReferences(src, head, tail)));
  if (magic(head, 0, 'vhdxfile')) out.push(...(await vhdxReferences(src)));
  if (head.length >= 0x44 && head.readUInt32LE(0x40) === 0xbeda107f) out.push(...vdiReferences(head));
  if (!magic(head, 0, 'KDMV') && !magic(head, 0, 'COWD') && isTextDescriptor(head))
    out.push(...(await textVmdkReferences(src)));
  return dedupe(out);
}

function dedupe(refs: ImageReference[]): ImageReference[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.kind}\0${r.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
