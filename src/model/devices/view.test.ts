import { describe, expect, it } from 'vitest';
import { buildDefinition } from '../build.js';
import type { RasdProperties, VirtualSystemDefinition, VssdProperties } from '../settings.js';
import { readDevices } from './view.js';

const def = (system: VssdProperties, ...list: RasdProperties[]): VirtualSystemDefinition => ({
  system,
  resources: list.map((properties) => ({ cimClass: 'CIM_ResourceAllocationSettingData', properties })),
});

/** A system with one of every kind of device, spelt the ways producers spell them. */
const everything = () =>
  def(
    { ElementName: 'all', VirtualSystemIdentifier: 'u-1', Firmware: 'EFI', BootOrder: ['cd', 'nic1'] },
    { InstanceID: 'cpu', ResourceType: '3', VirtualQuantity: '2' },
    { InstanceID: 'mem', ResourceType: '4', VirtualQuantity: '512', AllocationUnits: 'byte * 2^20' },
    { InstanceID: 'ide0', ResourceType: '5', Address: '0' },
    { InstanceID: 'ide1', ResourceType: '5', Address: '1' },
    { InstanceID: 'pv', ResourceType: '6', ResourceSubType: 'VirtualSCSI', Address: '0' },
    { InstanceID: 'vs', ResourceType: '20', ResourceSubType: 'VirtioSCSI' },
    { InstanceID: 'sata', ResourceType: '20', ResourceSubType: 'vmware.sata.ahci' },
    { InstanceID: 'usb', ResourceType: '23', ResourceSubType: 'vmware.usb.xhci' },
    {
      InstanceID: 'd1',
      ResourceType: '17',
      Parent: 'vs',
      AddressOnParent: '3',
      HostResource: ['/img/a.qcow2'],
    },
    {
      InstanceID: 'd2',
      ResourceType: '17',
      Parent: 'pv',
      AddressOnParent: ' 0 ',
      HostResource: ['ovf:/disk/vmdisk2'],
    },
    {
      InstanceID: 'cd',
      ResourceType: '16',
      Parent: 'ide1',
      AddressOnParent: '0',
      HostResource: ['ovf:/file/iso'],
    },
    { InstanceID: 'fd', ResourceType: '14', HostResource: ['file:///img/f.img'] },
    {
      InstanceID: 'odd',
      ResourceType: '17',
      Parent: 'nic1',
      AddressOnParent: 'first',
      HostResource: ['a.raw'],
    },
    {
      InstanceID: 'nic1',
      ResourceType: '10',
      ResourceSubType: 'VMXNET3 virtio',
      Address: '00-50-56-AB-CD-EF',
      Connection: ['VM Network'],
    },
    { InstanceID: 'nic2', ResourceType: '10', Address: 'not a mac' },
    { InstanceID: 'com1', ResourceType: '21', Connection: ['/tmp/console.log'] },
    { InstanceID: 'vga', ResourceType: '24', ResourceSubType: 'qxl', Connection: ['VNC'] },
    { InstanceID: 'snd', ResourceType: '35', ResourceSubType: 'ensoniq1371' },
    { InstanceID: 'lpt', ResourceType: '22' },
    { ResourceType: '1', ResourceSubType: 'vmware.vmci' },
  );

describe('readDevices()', () => {
  it('reads the system facts once: name, UUID, CPUs, memory, firmware and boot order', () => {
    expect(readDevices(everything()).system).toEqual({
      name: 'all',
      uuid: 'u-1',
      cpus: 2,
      memoryBytes: 512n << 20n,
      firmware: 'efi',
      bootOrder: ['cd', 'nic1'],
    });
  });

  it('reads controllers by kind, numbered per bus, with their Address', () => {
    const v = readDevices(everything());
    expect(v.controllers.map((c) => [c.instanceId, c.kind, c.ordinal, c.address, c.certainty])).toEqual([
      ['ide0', 'ide', 0, 0, 'named'],
      ['ide1', 'ide', 1, 1, 'named'],
      ['pv', 'pvscsi', 0, 0, 'named'],
      ['vs', 'virtio-scsi', 1, undefined, 'named'],
      ['sata', 'ahci', 0, undefined, 'named'],
      ['usb', 'usb', 0, undefined, 'named'],
    ]);
    expect(v.controllers.find((c) => c.kind === 'usb')?.usb).toBe('xhci');
  });

  it('places drives on the controllers their Parent names, with slot and image', () => {
    const v = readDevices(everything());
    const drive = (id: string) => v.drives.find((d) => d.instanceId === id)!;
    expect(drive('d1')).toMatchObject({
      kind: 'disk',
      slot: 3,
      image: { kind: 'path', path: '/img/a.qcow2' },
      hostResource: '/img/a.qcow2',
    });
    expect(drive('d1').controller?.kind).toBe('virtio-scsi');
    expect(drive('d2')).toMatchObject({
      slot: 0,
      slotText: ' 0 ',
      image: { kind: 'ovf-disk', id: 'vmdisk2' },
    });
    expect(drive('cd')).toMatchObject({ kind: 'cdrom', image: { kind: 'ovf-file', id: 'iso' } });
    expect(drive('cd').controller?.instanceId).toBe('ide1');
    expect(drive('fd')).toMatchObject({
      kind: 'floppy',
      controller: undefined,
      image: { kind: 'path', path: '/img/f.img' },
    });
    // A Parent that is not a controller and an AddressOnParent that is not a number are kept as written.
    expect(drive('odd')).toMatchObject({
      controller: undefined,
      parentText: 'nic1',
      slot: undefined,
      slotText: 'first',
      image: { kind: 'other', text: 'a.raw' },
    });
  });

  it('reads NICs with every model named, the MAC normalised and the network; the rest by meaning', () => {
    const v = readDevices(everything());
    expect(v.nics[0]).toMatchObject({
      model: 'vmxnet3',
      models: ['vmxnet3', 'virtio'],
      certainty: 'named',
      mac: '00:50:56:ab:cd:ef',
      macText: '00-50-56-AB-CD-EF',
      network: 'VM Network',
    });
    expect(v.nics[1]).toMatchObject({
      model: undefined,
      models: [],
      certainty: 'defaulted',
      macText: 'not a mac',
    });
    expect(v.nics[1]!.mac).toBeUndefined();
    expect(v.serials.map((s) => [s.instanceId, s.backend])).toEqual([['com1', '/tmp/console.log']]);
    expect(v.graphics.map((g) => [g.model, g.vnc])).toEqual([['qxl', true]]);
    expect(v.sound.map((s) => s.model)).toEqual(['es1370']);
    expect(v.others.map((o) => [o.instanceId, o.what, o.position])).toEqual([
      ['lpt', 'Parallel port', 18],
      ['#20', 'Other vmware.vmci', 19],
    ]);
  });

  it('finds every device by InstanceID (the first of two that share one), and none for CPU or memory', () => {
    const v = readDevices(everything());
    expect(v.byId('vs')?.device).toBe('controller');
    expect(v.byId('nic1')?.device).toBe('nic');
    expect(v.byId('#20')?.device).toBe('other');
    expect(v.byId('cpu')).toBeUndefined();
    const twice = readDevices(
      def({}, { InstanceID: 'x', ResourceType: '21' }, { InstanceID: 'x', ResourceType: '10' }),
    );
    expect(twice.byId('x')?.device).toBe('serial');
  });

  it('has no findings for a definition it reads fully', () => {
    expect(readDevices(everything()).findings).toEqual([]);
    expect(
      readDevices(buildDefinition({ name: 'w', cpus: 1, memoryBytes: 1n << 28n, disks: ['/a'] })).findings,
    ).toEqual([]);
  });

  it('reports what it had to guess, firmware it cannot read and boot order entries it cannot use', () => {
    const v = readDevices(
      def(
        { Firmware: 'coreboot', BootOrder: ['n', 'gone', 'n', 'c'] },
        { InstanceID: 'c', ResourceType: '6', ResourceSubType: 'adaptec' },
        { InstanceID: 'n', ResourceType: '10', ResourceSubType: 'SriovEthernetCard' },
        { InstanceID: 'u', ResourceType: '23', ResourceSubType: 'firewire' },
      ),
    );
    expect(v.findings.map((f) => [f.severity, f.code, f.instanceId ?? '', f.message])).toEqual([
      ['error', 'INVALID_VALUE', '', 'Firmware "coreboot" is neither bios nor efi'],
      [
        'warning',
        'INVALID_VALUE',
        'c',
        'Controller "c": subtype "adaptec" names no model known here; read as LSI Logic',
      ],
      [
        'warning',
        'INVALID_VALUE',
        'n',
        'NIC "n": subtype "SriovEthernetCard" names no adapter model known here',
      ],
      [
        'warning',
        'INVALID_VALUE',
        'u',
        'Controller "u": subtype "firewire" names no model known here; read as a USB controller',
      ],
      ['warning', 'IGNORED', '', 'BootOrder names "gone", which is no device of this definition'],
      ['warning', 'CONTRADICTORY', '', 'BootOrder names "n" twice; the first counts'],
      ['warning', 'IGNORED', 'c', 'BootOrder names "c", which is not a drive or NIC'],
    ]);
  });

  it('never throws, whatever the values', () => {
    const hostile = def(
      {
        Firmware: ['efi', 'bios'] as unknown as string,
        BootOrder: 'x'.repeat(100_000) as unknown as string[],
        ElementName: ['a'] as unknown as string,
      },
      {},
      { ResourceType: '17', Parent: '__proto__', AddressOnParent: '99999999999999999999', HostResource: [] },
      { ResourceType: '10', Address: '', Connection: [] },
      { InstanceID: 'constructor', ResourceType: '6', Address: '-1', ResourceSubType: 'x,'.repeat(50_000) },
      { ResourceType: '65535' },
      { ResourceType: '3', VirtualQuantity: 'many' },
      { ResourceType: '4', VirtualQuantity: '1', AllocationUnits: 'furlongs' },
    );
    const v = readDevices(hostile);
    expect(v.system.cpus).toBeUndefined();
    expect(v.system.memoryBytes).toBeUndefined();
    expect(v.system.firmware).toBeUndefined();
    expect(v.drives[0]).toMatchObject({ controller: undefined, slot: undefined, parentText: '__proto__' });
    expect(v.drives[0]!.hostResource).toBeUndefined();
    expect(v.drives[0]!.image).toBeUndefined();
    expect(v.controllers[0]).toMatchObject({ kind: 'lsilogic', certainty: 'guessed', address: undefined });
    expect(v.findings.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([
      'Firmware "efi, bios" is neither bios nor efi',
    ]);
  });
});

describe('readDevices() on malformed input', () => {
  it('reads a scalar property given twice (a repeated OVF element) by its first value, and never throws', () => {
    const view = readDevices({
      system: { ElementName: 'x' },
      resources: [
        {
          cimClass: 'CIM_ResourceAllocationSettingData',
          properties: { InstanceID: '1', ResourceType: '6', ResourceSubType: ['lsilogic', 'buslogic'] },
        },
        {
          cimClass: 'CIM_ResourceAllocationSettingData',
          properties: { InstanceID: '2', ResourceType: '17', Parent: ['1', '9'], Connection: 'lan' },
        },
      ],
    } as unknown as VirtualSystemDefinition);
    expect(view.controllers[0]?.kind).toBe('lsilogic');
    expect(view.drives[0]?.controller?.instanceId).toBe('1');
    expect(view.drives[0]?.resource.properties.Parent).toEqual(['1', '9']);
  });
});
