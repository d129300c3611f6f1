import { describe, expect, it } from 'vitest';
import type { ExportSources } from './disks.js';
import { keepMediaNames } from './names.js';

function sources(): ExportSources {
  return {
    disks: [
      {
        instanceId: '1',
        diskId: 'vmdisk1',
        fileId: 'file1',
        href: 'web1-disk1.vmdk',
        capacityBytes: 1n,
        path: '/x',
        overlay: false,
      },
    ],
    media: [
      { instanceId: '5', fileId: 'file2', href: 'file-file2', path: '/vm/file-file2' },
      { instanceId: '6', fileId: 'file2', href: 'file-file2', path: '/vm/file-file2' },
      { instanceId: '7', fileId: 'file3', href: 'file-file3', path: '/vm/file-file3' },
    ],
    emptied: [],
  };
}

describe('keepMediaNames()', () => {
  it('gives images the names the deployed package had, once per shared image', () => {
    const s = sources();
    keepMediaNames(
      s,
      new Map([
        ['5', 'install media.iso'],
        ['7', 'drivers.iso'],
      ]),
      'web1',
    );
    expect(s.media.map((m) => m.href)).toEqual(['install_media.iso', 'install_media.iso', 'drivers.iso']);
  });

  it('keeps the stored name where the package name is taken by the descriptor, a disk or another image', () => {
    const s = sources();
    keepMediaNames(
      s,
      new Map([
        ['5', 'web1.ovf'],
        ['6', 'web1-disk1.vmdk'],
        ['7', 'web1.mf'],
      ]),
      'web1',
    );
    expect(s.media.map((m) => m.href)).toEqual(['file-file2', 'file-file2', 'file-file3']);
    const t = sources();
    keepMediaNames(
      t,
      new Map([
        ['5', 'a.iso'],
        ['7', 'a.iso'],
      ]),
      'web1',
    );
    expect(t.media.map((m) => m.href)).toEqual(['a.iso', 'a.iso', 'file-file3']);
  });
});
