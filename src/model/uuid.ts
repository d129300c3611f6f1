const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when the text is a UUID in the 8-4-4-4-12 form (any case, nothing around it), as CIM's
 * VirtualSystemIdentifier, OVF's vssd and every driver spell it.
 *
 * @example
 * isUuid('0F5A0B38-7D2E-4C56-9D7E-2E1A8C0F4B11'); // true
 * isUuid(' 0f5a0b38-7d2e-4c56-9d7e-2e1a8c0f4b11'); // false: use canonicalUuid for read-in text
 */
export function isUuid(text: string | undefined): text is string {
  return typeof text === 'string' && UUID.test(text);
}

/**
 * The UUID that read-in text spells, trimmed and lower-cased, or undefined when it is not one.
 *
 * @example
 * canonicalUuid(' 0F5A0B38-7D2E-4C56-9D7E-2E1A8C0F4B11\n'); // '0f5a0b38-7d2e-4c56-9d7e-2e1a8c0f4b11'
 */
export function canonicalUuid(text: string | undefined): string | undefined {
  const t = text?.trim();
  return isUuid(t) ? t.toLowerCase() : undefined;
}
