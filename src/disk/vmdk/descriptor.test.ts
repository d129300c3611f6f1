import { describe, expect, it } from 'vitest';
import { formatStreamDescriptor, geometry, parseDescriptor } from './descriptor.js';

describe('VMDK descriptors', () => {
  it('formats the open-vmdk template and parses it back', () => {
    const text = formatStreamDescriptor({
      capacity: 4194304,
      adapterType: 'lsilogic',
      fileName: 'disk1.vmdk',
    });
    expect(text.startsWith('# Disk DescriptorFile\nversion=1\n')).toBe(true);
    const d = parseDescriptor(`${text}\0\0\0`);
    expect(d).toMatchObject({ signatureOk: true, createType: 'streamOptimized', parentCID: 'ffffffff' });
    expect(d.cid).toMatch(/^[0-9a-f]{8}$/);
    expect(d.cid).not.toMatch(/^ffffff(ff|fe)$/);
    expect(d.extents).toEqual([
      { access: 'RW', sectors: 4194304, type: 'SPARSE', file: 'disk1.vmdk', offset: 0 },
    ]);
    expect(d.ddb).toMatchObject({
      adapterType: 'lsilogic',
      'geometry.heads': '255',
      'geometry.cylinders': '262',
    });
    expect(d.ddb.longContentID).toMatch(/^[0-9a-f]{32}$/);
    expect(d.ddb.longContentID!.endsWith(d.cid!)).toBe(true);
  });

  it('uses 16 heads for IDE and caps the cylinders', () => {
    expect(geometry(2 ** 31, 'ide')).toEqual({ cylinders: 16383, heads: 16, sectors: 63 });
    expect(geometry(2 ** 40, 'buslogic')).toEqual({ cylinders: 65535, heads: 255, sectors: 63 });
    expect(geometry(1, 'legacyESX')).toEqual({ cylinders: 1, heads: 255, sectors: 63 });
  });

  it('keeps quotes and newlines out of the extent file name', () => {
    const d = parseDescriptor(
      formatStreamDescriptor({ capacity: 8, adapterType: 'ide', fileName: 'a"b\nc.vmdk' }),
    );
    expect(d.extents[0]?.file).toBe('a_b_c.vmdk');
  });

  it('flags the "# Disk Descriptor File" spelling libvmdk refuses, and reads flat extents with offsets', () => {
    const d = parseDescriptor(
      '# Disk Descriptor File\nversion=1\ncreateType="monolithicFlat"\nRW 2048 FLAT "x-flat.vmdk" 0\nRDONLY 10 FLAT "y" 7\n',
    );
    expect(d.signatureOk).toBe(false);
    expect(d.extents.map((e) => [e.access, e.sectors, e.file, e.offset])).toEqual([
      ['RW', 2048, 'x-flat.vmdk', 0],
      ['RDONLY', 10, 'y', 7],
    ]);
  });

  it('reads key = value lines without backtracking: a 1 MiB line of blanks and quotes parses at once', () => {
    const d = parseDescriptor(
      `ddb.comment = "${' \t'.repeat(500_000)}" "\ncreateType = "vmfs"\nddb.adapterType=ide\n`,
    );
    expect(d.createType).toBe('vmfs');
    expect(d.ddb.adapterType).toBe('ide');
    expect(d.ddb.comment).toBe(' \t'.repeat(500_000));
  });
});
