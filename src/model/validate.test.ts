import { describe, expect, it } from 'vitest';
import { buildDefinition } from './build.js';
import { normalizeMac } from './devices/addresses.js';
import { MODEL_SLOTS, type SlotPolicy, slotPolicy } from './devices/kinds.js';
import { readDevices } from './devices/view.js';
import { ModelError } from './errors.js';
import type { RasdProperties, ResourceSetting, VirtualSystemDefinition, VssdProperties } from './settings.js';
import { assertValidDefinition, DEFAULT_LIMITS, validateDefinition } from './validate.js';

/**
 * A target policy for these tests: the limits the QEMU host checked before its own moved into its driver (IDE 2,
 * SATA 6, every SCSI HBA 16 ids with none reserved, NVMe 256, CDs on any controller, no drives on USB).
 */
const LEGACY_SCSI = { slots: 16, reserved: [] };
const LEGACY_QEMU_SLOTS = slotPolicy('this host', {
  ahci: { slots: 6 },
  nvme: { cdrom: true },
  'virtio-blk': { cdrom: true },
  'virtio-scsi': { slots: 256, reserved: [] },
  lsilogic: LEGACY_SCSI,
  lsisas: LEGACY_SCSI,
  buslogic: LEGACY_SCSI,
  pvscsi: LEGACY_SCSI,
  megasas: LEGACY_SCSI,
  'hyperv-scsi': LEGACY_SCSI,
  usb: { slots: 0 },
});

const base = (): VirtualSystemDefinition =>
  buildDefinition({
    name: 'web1',
    cpus: 1,
    memoryBytes: 256n << 20n,
    disks: ['/images/web1.raw'],
    cdroms: ['/images/env.iso'],
    nics: [{ network: 'user' }],
  });

const rasd = (properties: ResourceSetting['properties']): ResourceSetting => ({
  cimClass: 'CIM_ResourceAllocationSettingData',
  properties,
});

const errors = (def: VirtualSystemDefinition, limits = DEFAULT_LIMITS) =>
  validateDefinition(def, limits).filter((p) => p.severity === 'error');

describe('validateDefinition()', () => {
  it('accepts what buildDefinition() makes', () => {
    expect(errors(base())).toEqual([]);
  });

  it('rejects zero memory', () => {
    const def = base();
    const mem = def.resources.find((r) => r.properties.ResourceType === '4')!;
    mem.properties.VirtualQuantity = '0';
    expect(errors(def).map((e) => e.message)).toEqual(['Memory must be at least 1 MiB, got 0 bytes']);
  });

  it('rejects a definition without memory or processor', () => {
    const def = base();
    def.resources = def.resources.filter(
      (r) => r.properties.ResourceType !== '4' && r.properties.ResourceType !== '3',
    );
    const codes = errors(def).map((e) => e.code);
    expect(codes).toEqual(['MISSING', 'MISSING']);
  });

  it('rejects more CPUs or memory than the host gives', () => {
    const def = buildDefinition({ name: 'big', cpus: 8, memoryBytes: 64n << 30n });
    const found = errors(def, { ...DEFAULT_LIMITS, cpus: 2, memoryBytes: 4n << 30n });
    expect(found.map((e) => e.code)).toEqual(['BEYOND_HOST', 'BEYOND_HOST']);
    expect(found[0]!.message).toBe('8 virtual CPUs asked; this host gives at most 2');
    expect(found[1]!.message).toBe('64 GiB of memory asked; this host gives at most 4 GiB');
  });

  it('rejects an unknown controller', () => {
    const def = base();
    def.resources.push(rasd({ InstanceID: '99', ResourceType: '20', ResourceSubType: 'floppy-raid' }));
    def.resources.push(rasd({ InstanceID: '98', ResourceType: '7' }));
    const found = errors(def);
    expect(found.map((e) => e.code)).toEqual(['UNSUPPORTED', 'UNSUPPORTED']);
    expect(found[0]!.message).toContain('Unknown controller');
  });

  it('rejects a drive whose Parent is not a controller and two drives at one address', () => {
    const def = base();
    def.resources.push(rasd({ InstanceID: 'd2', ResourceType: '17', HostResource: ['/x.raw'], Parent: '1' }));
    def.resources.push(
      rasd({
        InstanceID: 'd3',
        ResourceType: '17',
        HostResource: ['/y.raw'],
        Parent: '3',
        AddressOnParent: '0',
      }),
    );
    const found = errors(def);
    expect(found.map((e) => e.code)).toEqual(['CONTRADICTORY', 'CONTRADICTORY']);
    expect(found[1]!.message).toContain('both sit at address 0');
  });

  it('rejects an unresolved OVF reference and a disk without image', () => {
    const def = base();
    def.resources.push(rasd({ InstanceID: 'o', ResourceType: '17', HostResource: ['ovf:/disk/vmdisk1'] }));
    def.resources.push(rasd({ InstanceID: 'n', ResourceType: '17' }));
    const found = errors(def);
    expect(found.map((e) => [e.code, e.instanceId])).toEqual([
      ['INVALID_VALUE', 'o'],
      ['MISSING', 'n'],
    ]);
    expect(found[0]!.hint).toContain('deployed');
  });

  it('rejects 10,000 NICs without looking at each', () => {
    const def = base();
    for (let i = 0; i < 10_000; i++) def.resources.push(rasd({ InstanceID: `n${i}`, ResourceType: '10' }));
    const found = errors(def);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe('10001 network adapters; this host attaches at most 28');
  });

  it('rejects bad, multicast and duplicate MAC addresses', () => {
    const def = buildDefinition({
      name: 'n',
      cpus: 1,
      memoryBytes: 1n << 28n,
      nics: [
        { network: 'user', mac: '52:54:00:00:00:01' },
        { network: 'user', mac: '52-54-00-00-00-01' },
        { network: 'user', mac: '01:00:5e:00:00:01' },
        { network: 'user', mac: 'zz:54:00:00:00:01' },
      ],
    });
    expect(errors(def).map((e) => e.code)).toEqual(['CONTRADICTORY', 'INVALID_VALUE', 'INVALID_VALUE']);
  });

  it('rejects duplicate InstanceIDs, a missing name and a name with a slash', () => {
    const def = base();
    def.resources.push(rasd({ InstanceID: '1', ResourceType: '21' }));
    def.system.ElementName = '';
    expect(errors(def).map((e) => e.code)).toEqual(['MISSING', 'CONTRADICTORY']);
    def.system.ElementName = 'a/b';
    expect(errors(def)[0]!.code).toBe('INVALID_VALUE');
  });

  it('accepts sound cards (VMware HD Audio, VirtualBox ResourceType 35) and warns about devices the host ignores', () => {
    const def = base();
    def.resources.push(
      rasd({ InstanceID: 's', ResourceType: '1', ResourceSubType: 'vmware.soundcard.hdaudio' }),
      rasd({ InstanceID: 't', ResourceType: '35', ResourceSubType: 'ensoniq1371' }),
    );
    expect(validateDefinition(def)).toEqual([]);
    def.resources.push(rasd({ InstanceID: 'u', ResourceType: '1', ResourceSubType: 'vmware.vmci' }));
    expect(validateDefinition(def).map((p) => [p.severity, p.code])).toEqual([['warning', 'IGNORED']]);
  });

  it('rejects AddressOnParent out of range for IDE and not a number', () => {
    const def = base();
    const disk = def.resources.find((r) => r.properties.ResourceType === '17')!;
    disk.properties.AddressOnParent = '2';
    expect(errors(def)[0]!.message).toContain('out of range 0..1');
    disk.properties.AddressOnParent = 'first';
    expect(errors(def)[0]!.message).toContain('is not a whole number');
  });
});

describe('assertValidDefinition()', () => {
  it('throws MODEL_INVALID naming the system and each error', () => {
    const def = buildDefinition({ name: 'zero', cpus: 0, memoryBytes: 0n });
    const e = (() => {
      try {
        assertValidDefinition(def);
      } catch (err) {
        return err as ModelError;
      }
      throw new Error('no error');
    })();
    expect(e).toBeInstanceOf(ModelError);
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toBe(
      'Invalid definition "zero": The CPU count "0" must be a whole number of at least 1; Memory must be at least 1 MiB, got 0 bytes',
    );
  });
});

describe('normalizeMac()', () => {
  it('accepts the three usual spellings and refuses others', () => {
    expect(normalizeMac('52:54:00:AB:cd:01')).toBe('52:54:00:ab:cd:01');
    expect(normalizeMac('52-54-00-ab-cd-01')).toBe('52:54:00:ab:cd:01');
    expect(normalizeMac('525400abcd01')).toBe('52:54:00:ab:cd:01');
    expect(normalizeMac('52:54-00:ab:cd:01')).toBeUndefined();
    expect(normalizeMac('52:54:00:ab:cd')).toBeUndefined();
  });
});

describe('validateDefinition() findings, one by one', () => {
  const sys = (resources: RasdProperties[], system: VssdProperties = { ElementName: 'v' }) => ({
    system,
    resources: [
      rasd({ InstanceID: 'cpu', ResourceType: '3', VirtualQuantity: '1' }),
      rasd({ InstanceID: 'mem', ResourceType: '4', VirtualQuantity: '64' }),
      ...resources.map(rasd),
    ],
  });
  const found = (d: VirtualSystemDefinition, limits = DEFAULT_LIMITS, slots?: SlotPolicy) =>
    validateDefinition(d, limits, slots).map((p) => [p.severity, p.code, p.message]);

  it.each([
    [
      'a name with control characters',
      sys([], { ElementName: 'a\u0007b' }),
      'INVALID_VALUE',
      'is not usable',
    ],
    ['a name of 129 characters', sys([], { ElementName: 'x'.repeat(129) }), 'INVALID_VALUE', 'at most 128'],
    [
      'two Processor resources',
      sys([{ InstanceID: 'cpu2', ResourceType: '3', VirtualQuantity: '1' }]),
      'CONTRADICTORY',
      '2 Processor resources',
    ],
    [
      'two Memory resources',
      sys([{ InstanceID: 'mem2', ResourceType: '4', VirtualQuantity: '1' }]),
      'CONTRADICTORY',
      '2 Memory resources',
    ],
    [
      'three IDE controllers',
      sys([
        { InstanceID: 'a', ResourceType: '5' },
        { InstanceID: 'b', ResourceType: '5' },
        { InstanceID: 'c', ResourceType: '5' },
      ]),
      'BEYOND_HOST',
      '3 IDE controllers; this host has 2 IDE channels',
    ],
    [
      'five serial ports',
      sys(Array.from({ length: 5 }, (_, i) => ({ InstanceID: `s${i}`, ResourceType: '21' }))),
      'BEYOND_HOST',
      '5 serial ports; this host offers at most 4',
    ],
    [
      'an unknown ResourceType',
      sys([{ InstanceID: 'x', ResourceType: '77' }]),
      'INVALID_VALUE',
      'unknown ResourceType',
    ],
    [
      'an FC HBA',
      sys([{ InstanceID: 'fc', ResourceType: '7' }]),
      'UNSUPPORTED',
      'Unknown controller: FC HBA "fc"',
    ],
    [
      'an image that is a relative path',
      sys([{ InstanceID: 'd', ResourceType: '17', HostResource: ['disk.raw'] }]),
      'INVALID_VALUE',
      'is not an absolute path or file:// URL',
    ],
    [
      'a Firmware that is neither bios nor efi',
      sys([], { ElementName: 'v', Firmware: 'coreboot' }),
      'INVALID_VALUE',
      'Firmware "coreboot" is neither bios nor efi',
    ],
  ] as [string, VirtualSystemDefinition, string, string][])('refuses %s', (_what, d, code, text) => {
    const errs = found(d).filter((p) => p[0] === 'error');
    expect(errs).toHaveLength(1);
    expect(errs[0]![1]).toBe(code);
    expect(errs[0]![2]).toContain(text);
  });

  it('refuses a Processor whose count cannot be read, by the rule every reader of the count uses', () => {
    const cases: Array<[string, (d: VirtualSystemDefinition) => void, string]> = [
      [
        'a unit that is none',
        (d) => {
          d.resources[0]!.properties.VirtualQuantityUnits = 'file:///x';
        },
        '"file:" is not a DSP0004 base unit',
      ],
      [
        'a scaled count',
        (d) => {
          d.resources[0]!.properties.VirtualQuantityUnits = 'count*10^3';
        },
        'not a count',
      ],
      [
        'a processor given as a SASD',
        (d) => {
          d.resources[0]!.cimClass = 'CIM_StorageAllocationSettingData';
        },
        'is in "byte", not a count',
      ],
    ];
    for (const [what, change, why] of cases) {
      const d = sys([]);
      change(d);
      const errs = found(d).filter((p) => p[0] === 'error');
      expect(
        errs.map((e) => [e[1], String(e[2]).startsWith('Processor: ')]),
        what,
      ).toEqual([['INVALID_VALUE', true]]);
      expect(errs[0]![2], what).toContain(why);
    }
    // A unit of another kind is ignored with a warning (the count is read as a count), not refused.
    const bytes = sys([]);
    bytes.resources[0]!.properties.VirtualQuantityUnits = 'byte';
    expect(found(bytes).filter((p) => p[0] === 'error')).toEqual([]);
  });

  it('refuses more disks than the host attaches', () => {
    const disks = Array.from({ length: 3 }, (_, i) => ({
      InstanceID: `d${i}`,
      ResourceType: '17',
      HostResource: ['/a'],
    }));
    expect(found(sys(disks), { ...DEFAULT_LIMITS, disks: 2 })).toEqual([
      ['error', 'BEYOND_HOST', '3 disks; this host attaches at most 2'],
    ]);
  });

  it('warns about what it had to guess and what BootOrder names in vain, without refusing', () => {
    const d = sys(
      [
        { InstanceID: 'c', ResourceType: '6', ResourceSubType: 'whatever' },
        { InstanceID: 'n', ResourceType: '10', ResourceSubType: 'SriovEthernetCard' },
      ],
      { ElementName: 'v', Firmware: 'uefi', BootOrder: ['gone'] },
    );
    expect(found(d)).toEqual([
      ['warning', 'INVALID_VALUE', 'Firmware "uefi" is read as efi'],
      [
        'warning',
        'INVALID_VALUE',
        'Controller "c": subtype "whatever" names no model known here; read as LSI Logic',
      ],
      ['warning', 'INVALID_VALUE', 'NIC "n": subtype "SriovEthernetCard" names no adapter model known here'],
      ['warning', 'IGNORED', 'BootOrder names "gone", which is no device of this definition'],
    ]);
  });

  it('accepts a view as well as a definition', () => {
    const d = sys([{ InstanceID: 'x', ResourceType: '77' }]);
    expect(validateDefinition(readDevices(d))).toEqual(validateDefinition(d));
  });
});

describe('validateDefinition() on the controller kinds (model limits, and the QEMU host’s legacy ones)', () => {
  const on = (
    kind: string,
    sub: string | undefined,
    drives: RasdProperties[],
    system = { ElementName: 'k' },
  ) => ({
    system,
    resources: [
      rasd({ InstanceID: 'cpu', ResourceType: '3', VirtualQuantity: '1' }),
      rasd({ InstanceID: 'mem', ResourceType: '4', VirtualQuantity: '64' }),
      rasd({ InstanceID: 'c', ResourceType: kind, ...(sub === undefined ? {} : { ResourceSubType: sub }) }),
      ...drives.map(rasd),
    ],
  });
  const at = (slot: string, type = '17'): RasdProperties => ({
    InstanceID: `d${slot}`,
    ResourceType: type,
    HostResource: ['/a'],
    Parent: 'c',
    AddressOnParent: slot,
  });
  const errors = (d: VirtualSystemDefinition, slots: SlotPolicy) =>
    validateDefinition(d, DEFAULT_LIMITS, slots)
      .filter((p) => p.severity === 'error')
      .map((p) => p.message);

  it.each([
    // RT, subtype, last good slot, first bad slot under the model; the same under the legacy QEMU numbers
    ['5', undefined, '1', '2', '1', '2'],
    ['20', 'AHCI', '29', '30', '5', '6'],
    ['20', 'NVMe', '255', '256', '255', '256'],
    ['6', 'lsilogic', '15', '16', '15', '16'],
    ['6', 'VirtualSCSI', '63', '64', '15', '16'],
    ['6', 'virtio-scsi', '255', '256', '255', '256'],
    ['20', 'VirtioSCSI', '255', '256', '255', '256'],
    ['6', 'megasas', '63', '64', '15', '16'],
  ])('RT %s %j: slot %s fits, %s is out of range (legacy: %s, %s)', (rt, sub, good, bad, oldGood, oldBad) => {
    expect(errors(on(rt, sub, [at(good)]), MODEL_SLOTS)).toEqual([]);
    expect(errors(on(rt, sub, [at(bad)]), MODEL_SLOTS)).toEqual([
      expect.stringContaining(`is out of range 0..${good}`),
    ]);
    expect(errors(on(rt, sub, [at(oldGood)]), LEGACY_QEMU_SLOTS)).toEqual([]);
    expect(errors(on(rt, sub, [at(oldBad)]), LEGACY_QEMU_SLOTS)).toEqual([
      expect.stringContaining(`is out of range 0..${oldGood}`),
    ]);
  });

  it('keeps SCSI id 7 for the HBA on parallel SCSI (the legacy numbers did not)', () => {
    const d = on('6', 'lsilogic', [at('7')]);
    expect(errors(d, MODEL_SLOTS)).toEqual([
      'Drive "d7": address 7 of LSI Logic controller "c" is the controller\'s own',
    ]);
    expect(errors(d, LEGACY_QEMU_SLOTS)).toEqual([]);
  });

  it('orders virtio-blk disks without a slot limit', () => {
    expect(errors(on('20', 'virtio', [at('5000'), { ...at('5000'), InstanceID: 'e' }]), MODEL_SLOTS)).toEqual(
      [],
    );
  });

  it('checks drives on virtio-scsi as SCSI targets (it used to be read as virtio-blk)', () => {
    const d = on('6', 'virtio-scsi', [at('0'), { ...at('0'), InstanceID: 'other' }]);
    expect(errors(d, LEGACY_QEMU_SLOTS)).toEqual([
      'Drives "d0" and "other" both sit at address 0 of controller "c"',
    ]);
  });

  it('refuses a CD on NVMe and virtio-blk under the model; the legacy QEMU host accepted them', () => {
    for (const sub of ['NVMe', 'virtio']) {
      const d = on('20', sub, [at('0', '15')]);
      expect(errors(d, MODEL_SLOTS)).toEqual([
        expect.stringMatching(/^CD\/DVD "d0" cannot sit on (NVMe|virtio-blk) controller "c"$/),
      ]);
      expect(errors(d, LEGACY_QEMU_SLOTS)).toEqual([]);
    }
  });

  it('accepts drives on USB under the model; the legacy QEMU host refused them', () => {
    const d = on('23', undefined, [at('0')]);
    expect(errors(d, MODEL_SLOTS)).toEqual([]);
    expect(errors(d, LEGACY_QEMU_SLOTS)).toEqual([
      'Drive "d0": this host puts no drives on USB controller "c"',
    ]);
  });

  it('accepts VirtualBox’s old SAS spelling and libvirt-cim’s RT 1 controllers', () => {
    expect(errors(on('20', 'LsiLogicSas', [at('3')]), LEGACY_QEMU_SLOTS)).toEqual([]);
    const libvirt = on('1', 'scsi', [at('3')]);
    libvirt.resources[2]!.properties.OtherResourceType = 'controller';
    libvirt.resources[2]!.properties.Model = 'virtio-scsi';
    expect(errors(libvirt, LEGACY_QEMU_SLOTS)).toEqual([]);
    expect(readDevices(libvirt).drives[0]!.controller?.kind).toBe('virtio-scsi');
  });
});
