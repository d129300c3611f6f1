/**
 * A libvirt UUID (16 bytes) as text.
 *
 * @example
 * uuidText(dom.uuid); // '6695eb01-f6a4-8304-79aa-97f2502e193f'
 */
export function uuidText(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
