import { describe, expect, test } from 'vitest';
import { checkUstarName, chunkName, isExternalHref, safeMemberName } from './names.js';

describe('safeMemberName()', () => {
  test('accepts plain and nested relative names and drops a leading ./', () => {
    expect(safeMemberName('disk1.vmdk')).toBe('disk1.vmdk');
    expect(safeMemberName('./disks/disk1.vmdk')).toBe('disks/disk1.vmdk');
  });

  test.each([
    ['/etc/passwd', 'absolute'],
    ['../../etc/cron.d/x', '".."'],
    ['disks/../../x', '".."'],
    ['C:/x.vmdk', 'drive letter'],
    ['..\\x.vmdk', 'backslash'],
    ['a\u0000b', 'control character'],
    ['dir/', 'directory'],
    ['a//b', 'empty'],
    ['', 'empty'],
  ])('refuses %j (%s)', (name, why) => {
    expect(() => safeMemberName(name)).toThrow(expect.objectContaining({ code: 'OVA_UNSAFE_NAME' }));
    expect(() => safeMemberName(name)).toThrow(why);
  });
});

describe('checkUstarName()', () => {
  test('accepts 100-byte names and a 155-byte prefix plus a 100-byte name', () => {
    expect(() => checkUstarName('a'.repeat(100))).not.toThrow();
    expect(() => checkUstarName(`${'d'.repeat(155)}/${'n'.repeat(100)}`)).not.toThrow();
  });

  test('refuses what would need a pax header: long names and non-ASCII names', () => {
    expect(() => checkUstarName('a'.repeat(101))).toThrow(
      expect.objectContaining({ code: 'OVA_NAME_TOO_LONG' }),
    );
    expect(() => checkUstarName('disque-é.vmdk')).toThrow(
      expect.objectContaining({ code: 'OVA_NAME_TOO_LONG' }),
    );
  });
});

test('chunkName() appends a nine-digit index', () => {
  expect(chunkName('disk.vmdk', 0)).toBe('disk.vmdk.000000000');
  expect(chunkName('disk.vmdk', 12)).toBe('disk.vmdk.000000012');
});

test('isExternalHref() tells URLs from package files', () => {
  expect(['http://x/y.vmdk', 'file:///tmp/a', 'disk1.vmdk', 'a:b.vmdk'].map(isExternalHref)).toEqual([
    true,
    true,
    false,
    false,
  ]);
});
