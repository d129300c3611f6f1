import { describe, expect, it } from 'vitest';
import { canonicalUuid, isUuid } from './uuid.js';

describe('isUuid / canonicalUuid', () => {
  it('accepts the 8-4-4-4-12 form in any case and nothing else', () => {
    expect(isUuid('0F5A0B38-7D2E-4C56-9D7E-2E1A8C0F4B11')).toBe(true);
    expect(isUuid('0f5a0b38-7d2e-4c56-9d7e-2e1a8c0f4b11x')).toBe(false);
    expect(isUuid('0f5a0b387d2e4c569d7e2e1a8c0f4b11')).toBe(false);
    expect(isUuid(' 0f5a0b38-7d2e-4c56-9d7e-2e1a8c0f4b11')).toBe(false);
    expect(isUuid(undefined)).toBe(false);
  });

  it('canonicalises read-in text: trimmed and lower case', () => {
    expect(canonicalUuid(' 0F5A0B38-7D2E-4C56-9D7E-2E1A8C0F4B11\n')).toBe(
      '0f5a0b38-7d2e-4c56-9d7e-2e1a8c0f4b11',
    );
    expect(canonicalUuid('web-1')).toBeUndefined();
    expect(canonicalUuid(undefined)).toBeUndefined();
  });
});
