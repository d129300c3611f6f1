/** Recognizing a text VMDK descriptor file (monolithicFlat, split, vmfs) by its first bytes. */

/** True when the first bytes look like a VMDK text descriptor, as QEMU's probe decides (NUL padding allowed). */
export function isTextDescriptor(head: Buffer): boolean {
  const nul = head.indexOf(0);
  const text = head.subarray(0, Math.min(1024, nul < 0 ? head.length : nul)).toString('latin1');
  return /^\s*# Disk Descriptor ?File/i.test(text) || /^\s*version\s*=\s*\d/.test(text);
}
