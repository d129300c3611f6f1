/** Recognizing a text VMDK descriptor file (monolithicFlat, split, vmfs) by its first bytes. */

/**
 * True when the first bytes look like a VMDK text descriptor: they start with `# Disk DescriptorFile`, or with a
 * `version=` line after any comment and blank lines. This accepts everything QEMU's probe does (block/vmdk.c
 * `vmdk_probe` skips `#` lines and blank lines, then wants `version=1`, `2` or `3`), so a file QEMU would
 * read as a descriptor is never taken for raw data.
 */
export function isTextDescriptor(head: Buffer): boolean {
  const nul = head.indexOf(0);
  const text = head.subarray(0, Math.min(64 << 10, nul < 0 ? head.length : nul)).toString('latin1');
  if (/^\s*# Disk Descriptor ?File/i.test(text)) return true;
  for (let i = 0; i < text.length; ) {
    const end = text.indexOf('\n', i);
    const line = text.slice(i, end < 0 ? text.length : end).trim();
    if (line !== '' && !line.startsWith('#')) return /^version\s*=\s*\d/.test(line);
    if (end < 0) break;
    i = end + 1;
  }
  return false;
}
