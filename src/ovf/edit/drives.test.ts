import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../../../test/helpers/corpus.js';
import { formatOvf } from '../format.js';
import { hardwareFor, ovfInfo } from '../info.js';
import { parseOvf } from '../parse.js';
import { findSection } from '../select.js';
import { validateOvf } from '../validate/validate.js';
import { targetSystem } from './core.js';
import { addDisk } from './devices.js';
import { insertMedia, replaceDiskImage } from './drives.js';
import { addFile } from './files.js';

const INPUT = join(CORPUS, 'glennmatthews__cot__COT__tests__input.ovf');
const load = () => parseOvf(readFileSync(INPUT));
const errors = (env: ReturnType<typeof load>) =>
  validateOvf(parseOvf(formatOvf(env))).filter((d) => d.severity === 'error');
const addresses = (env: ReturnType<typeof load>) => {
  const hw = hardwareFor(ovfInfo(env).systems[0]!, '1CPU-1GB-1NIC')!;
  return [...hw.disks, ...hw.media].map((d) => `${d.hostResource ?? '-'} ${d.address}`);
};
const G = 1n << 30n;

describe('addDisk() on a named bus (COT add-disk --controller)', () => {
  it('takes the first free slot of the first controller of the bus', () => {
    const env = load();
    const sys = targetSystem(env);
    addDisk(env, sys, { href: 'a.vmdk', capacityBytes: G, controller: 'ide' });
    addDisk(env, sys, { href: 'b.vmdk', capacityBytes: G, controller: 'scsi' });
    expect(addresses(env)).toEqual(
      expect.arrayContaining(['ovf:/disk/vmdisk2 IDE 0:0', 'ovf:/disk/vmdisk3 SCSI 0:1']),
    );
    expect(errors(env)).toEqual([]);
  });

  it('refuses a disk on a full bus that can take no more controllers (two IDE channels)', () => {
    const env = load();
    const sys = targetSystem(env);
    addDisk(env, sys, { href: 'a.vmdk', capacityBytes: G, controller: 'ide' });
    addDisk(env, sys, { href: 'b.vmdk', capacityBytes: G, controller: 'ide' });
    expect(() => addDisk(env, sys, { href: 'c.vmdk', capacityBytes: G, controller: 'ide' })).toThrow(
      /no place on IDE: every IDE controller is full/,
    );
  });

  it('adds a controller of the bus when the system has none (NVMe), spelled as the producer spells it', () => {
    const env = load();
    addDisk(env, targetSystem(env), { href: 'a.vmdk', capacityBytes: G, controller: 'nvme' });
    expect(addresses(env)).toContain('ovf:/disk/vmdisk2 NVMe 0:0');
    expect(errors(env)).toEqual([]);
  });
});

describe('insertMedia() and replaceDiskImage()', () => {
  it('puts an image in the first empty CD-ROM drive, then in a new drive when none is empty', () => {
    const env = load();
    const sys = targetSystem(env);
    expect(insertMedia(env, sys, addFile(env, { href: 'a.iso' }))).toMatchObject({ added: false });
    expect(insertMedia(env, sys, addFile(env, { href: 'b.iso' }))).toMatchObject({ added: true });
    expect(addresses(env)).toEqual(
      expect.arrayContaining(['ovf:/file/file3 IDE 1:1', 'ovf:/file/file4 IDE 0:0']),
    );
    expect(errors(env)).toEqual([]);
  });

  it('adds an IDE channel for a new CD-ROM rather than use a SCSI HBA with room', () => {
    const env = parseOvf(readFileSync(join(CORPUS, 'glennmatthews__cot__COT__tests__minimal.ovf')));
    const sys = targetSystem(env);
    addDisk(env, sys, { href: 'a.vmdk', capacityBytes: G });
    insertMedia(env, sys, addFile(env, { href: 'c.iso' }));
    const h = ovfInfo(env).systems[0]!.hardware[0]!;
    expect([...h.disks, ...h.media].map((d) => d.address)).toEqual(['SCSI 0:0', 'IDE 0:0']);
    expect(errors(env)).toEqual([]);
  });

  it('gives an existing disk a new image and drops the old File', () => {
    const env = load();
    const id = addFile(env, { href: 'new.vmdk', size: 10n });
    expect(replaceDiskImage(env, 'vmdisk1', { fileId: id, capacityBytes: 2n * G, format: 'x' })).toBe(
      'file1',
    );
    expect(findSection(env.sections, 'DiskSection')!.disks[0]).toMatchObject({
      fileRef: id,
      capacity: '2',
      capacityAllocationUnits: 'byte * 2^30',
    });
    expect(env.references.map((f) => f.id)).not.toContain('file1');
    expect(() => replaceDiskImage(env, 'nope', { fileId: id, capacityBytes: G, format: 'x' })).toThrow(
      /No disk/,
    );
  });
});
