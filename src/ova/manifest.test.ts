import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SHARED } from '../../test/helpers/cli.js';
import type { OvaError } from './errors.js';
import { formatManifest, manifestLineLength, parseDigestAlgorithm, parseManifest } from './manifest.js';

const H1 = 'c3bd2579c2edc76ea35b5bde7d4f4e41eab08963';
const H256 = '4aacc96f73bc1e0912414b80a576f62fa8d22386a2c34c489e88ee42ec71de9b';

function syntaxError(text: string): OvaError {
  try {
    parseManifest(text, 'vm.mf');
  } catch (e) {
    return e as OvaError;
  }
  throw new Error('expected OVA_MANIFEST_SYNTAX');
}

describe('parseManifest()', () => {
  test('reads every real manifest of the corpus (ovftool/COT strict form and VirtualBox spaced form)', () => {
    const dir = join(SHARED, 'ovf-corpus', 'manifests');
    const byFile = Object.fromEntries(
      readdirSync(dir).map((f) => [f, parseManifest(readFileSync(join(dir, f)), f)] as const),
    );
    const cot = byFile['glennmatthews__cot__COT__tests__input.mf']!;
    expect(cot.map((e) => [e.algorithm, e.file])).toEqual([
      ['sha1', 'input.ovf'],
      ['sha1', 'input.vmdk'],
      ['sha1', 'input.iso'],
      ['sha1', 'sample_cfg.txt'],
    ]);
    expect(byFile['glennmatthews__cot__COT__tests__ubuntu.2.0.mf']![0]).toMatchObject({
      algorithm: 'sha256',
      file: 'ubuntu.2.0.ovf',
      digest: H256,
    });
    const vbox = byFile['vmware__govmomi__vapi__library__testdata__ttylinux-pc_i486-16.1.mf']!;
    expect(vbox.map((e) => e.file)).toEqual([
      'ttylinux-pc_i486-16.1.ovf',
      'ttylinux-pc_i486-16.1-disk1.vmdk',
    ]);
  });

  test('accepts CRLF, upper-case hex, blank lines and names holding spaces and parentheses', () => {
    const text = `SHA1(vm.ovf)= ${H1.toUpperCase()}\r\n\r\nSHA256 (disk (32-bit).vmdk) = ${H256}\r\n`;
    const entries = parseManifest(text);
    expect(entries).toEqual([
      { algorithm: 'sha1', file: 'vm.ovf', digest: H1, line: 1 },
      { algorithm: 'sha256', file: 'disk (32-bit).vmdk', digest: H256, line: 3 },
    ]);
  });

  test('rejects a line it cannot read, naming the line', () => {
    const e = syntaxError(`SHA256(vm.ovf)= ${H256}\nthis is not a digest\n`);
    expect(e.code).toBe('OVA_MANIFEST_SYNTAX');
    expect(e.message).toContain('vm.mf line 2');
  });

  test('rejects an unknown algorithm and a digest of the wrong length', () => {
    expect(syntaxError(`MD5(vm.ovf)= ${H1.slice(0, 32)}\n`).message).toContain(
      'unknown digest algorithm "MD5"',
    );
    expect(syntaxError(`SHA256(vm.ovf)= ${H1}\n`).message).toContain('64 hex digits');
  });

  test('rejects two different digests of one file', () => {
    const other = H256.replace(/^4/, '5');
    expect(syntaxError(`SHA256(a)= ${H256}\nSHA256(a)= ${other}\n`).message).toContain(
      'two different SHA256',
    );
  });

  // A regex that backtracks catastrophically would not finish within the test's timeout.
  test('parses an oversized hostile line without hanging', () => {
    const e = syntaxError(`SHA256(${'('.repeat(200_000)}= ${'a'.repeat(100)}`);
    expect(e.code).toBe('OVA_MANIFEST_SYNTAX');
  }, 10_000);
});

describe('formatManifest()', () => {
  test('writes the strict form ovftool, ESXi and virt-v2v all accept, and reads it back', () => {
    const text = formatManifest([
      { algorithm: 'sha256', file: 'vm.ovf', digest: H256 },
      { algorithm: 'sha1', file: 'disk1.vmdk', digest: H1 },
    ]);
    expect(text).toBe(`SHA256(vm.ovf)= ${H256}\nSHA1(disk1.vmdk)= ${H1}\n`);
    expect(parseManifest(text).map((e) => e.digest)).toEqual([H256, H1]);
  });

  test('line length is fixed for a name and an algorithm', () => {
    expect(manifestLineLength('sha512', 'a.vmdk')).toBe(`SHA512(a.vmdk)= ${'0'.repeat(128)}\n`.length);
  });
});

test('parseDigestAlgorithm() reads command-line and manifest spellings', () => {
  expect(['sha1', 'SHA256', 'SHA-512', 'md5'].map(parseDigestAlgorithm)).toEqual([
    'sha1',
    'sha256',
    'sha512',
    undefined,
  ]);
});
