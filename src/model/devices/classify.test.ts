import { describe, expect, it } from 'vitest';
import type { RasdProperties, ResourceSetting } from '../settings.js';
import { type Classified, classifyResource, preferred } from './classify.js';

const rasd = (properties: RasdProperties): ResourceSetting => ({
  cimClass: 'CIM_ResourceAllocationSettingData',
  properties,
});
const of = (rt: string, sub?: string): Classified =>
  classifyResource(rasd({ ResourceType: rt, ...(sub === undefined ? {} : { ResourceSubType: sub }) }));

describe('classifyResource() on the subtypes of the design survey (§2.3)', () => {
  it.each([
    ['6', 'virtio-scsi', ['virtio-scsi'], 'named'],
    ['6', 'virtio lsilogic', ['virtio-scsi', 'lsilogic'], 'named'],
    ['20', 'VirtioSCSI', ['virtio-scsi'], 'named'],
    ['20', 'virtio-scsi', ['virtio-scsi'], 'named'],
    ['20', 'LsiLogicSas', ['lsisas'], 'named'],
    ['6', 'lsilogicsas', ['lsisas'], 'named'],
    ['6', 'LsiLogicSas', ['lsisas'], 'named'],
    ['6', 'someother, lsilogic', ['lsilogic'], 'named'],
    ['6', 'buslogic,lsilogic', ['buslogic', 'lsilogic'], 'named'],
    ['6', 'megasas', ['megasas'], 'named'],
    ['6', 'lsisas1078', ['megasas'], 'named'],
    ['6', 'whatever', ['lsilogic'], 'guessed'],
    ['6', undefined, ['lsilogic'], 'defaulted'],
    ['6', '  ', ['lsilogic'], 'defaulted'],
  ])('RT %s %j is %j (%s)', (rt, sub, kinds, certainty) => {
    expect(of(rt, sub)).toEqual({ device: 'controller', kinds, certainty });
  });

  it.each([
    ['Vmxnet', ['vmxnet'], 'named'],
    ['Flexible', ['pcnet'], 'named'],
    ['VirtualE1000', ['e1000'], 'named'],
    ['VMXNET3 virtio', ['vmxnet3', 'virtio'], 'named'],
    ['SriovEthernetCard', [], 'guessed'],
    [undefined, [], 'defaulted'],
  ])('RT 10 %j is %j (%s)', (sub, models, certainty) => {
    expect(of('10', sub)).toEqual({ device: 'nic', models, certainty });
  });
});

describe('classifyResource() on every other spelling the corpus uses', () => {
  it.each([
    ['6', 'VirtualSCSI', 'pvscsi'],
    ['6', 'buslogic', 'buslogic'],
    ['6', 'lsilogic', 'lsilogic'],
    ['6', 'LsiLogic', 'lsilogic'],
    ['20', 'AHCI', 'ahci'],
    ['20', 'ahci', 'ahci'],
    ['20', 'vmware.sata.ahci', 'ahci'],
    ['20', 'vmware.nvme.controller', 'nvme'],
    ['20', 'NVMe', 'nvme'],
    ['20', 'virtio', 'virtio-blk'],
    ['5', undefined, 'ide'],
    ['5', 'PIIX3', 'ide'],
    ['5', 'PIIX4', 'ide'],
    ['5', 'ICH6', 'ide'],
    ['5', 'virtio', 'ide'], // COT's "IDE/VirtIO Controller": RT 5 is IDE whatever the subtype
  ])('RT %s %j is a %s controller', (rt, sub, kind) => {
    const c = of(rt, sub);
    expect(c).toMatchObject({ device: 'controller', kinds: [kind], certainty: 'named' });
  });

  it.each([
    ['E1000', 'e1000'],
    ['E1000E', 'e1000e'],
    ['E1000e', 'e1000e'],
    ['PCNet32', 'pcnet'],
    ['VMXNET3', 'vmxnet3'],
    ['VmxNet3', 'vmxnet3'],
    ['vmxnet3', 'vmxnet3'],
    ['virtio', 'virtio'],
  ])('RT 10 %j is %s', (sub, model) => {
    expect(of('10', sub)).toEqual({ device: 'nic', models: [model], certainty: 'named' });
  });

  it('reads USB generations, sound cards, drives and what it does not know', () => {
    expect(of('23', 'vmware.usb.ehci')).toEqual({
      device: 'controller',
      kinds: ['usb'],
      certainty: 'named',
      usb: 'ehci',
    });
    expect(of('23', 'vmware.usb.xhci')).toMatchObject({ usb: 'xhci' });
    expect(of('23')).toEqual({ device: 'controller', kinds: ['usb'], certainty: 'defaulted' });
    expect(of('23', 'firewire')).toEqual({ device: 'controller', kinds: ['usb'], certainty: 'guessed' });
    expect(of('35', 'ensoniq1371')).toEqual({ device: 'sound', model: 'es1370' });
    expect(of('35')).toEqual({ device: 'sound' });
    expect(of('1', 'vmware.soundcard.hdaudio')).toEqual({ device: 'sound', model: 'hda' });
    expect(of('1', 'vmware.soundcard.ensoniq1371')).toEqual({ device: 'sound', model: 'es1370' });
    expect(of('1', 'vmware.vmci')).toEqual({ device: 'other', resourceType: 1 });
    expect(of('1', 'invalidResourceSubType')).toEqual({ device: 'other', resourceType: 1 });
    expect(of('20', 'vmware.nvdimm.controller')).toEqual({ device: 'other', resourceType: 20 });
    expect(of('20')).toEqual({ device: 'other', resourceType: 20 });
    expect(of('14', 'vmware.floppy.remotedevice')).toEqual({ device: 'drive', kind: 'floppy' });
    expect(of('15', 'vmware.cdrom.remotepassthrough')).toEqual({ device: 'drive', kind: 'cdrom' });
    expect(of('16')).toEqual({ device: 'drive', kind: 'cdrom' });
    expect(of('17')).toEqual({ device: 'drive', kind: 'disk' });
    expect(of('31')).toEqual({ device: 'drive', kind: 'disk' });
    expect(of('19', 'Virtual Hard Disk Image')).toEqual({ device: 'other', resourceType: 19 });
    expect(of('24', 'vmware')).toEqual({ device: 'graphics', model: 'vmware-svga' });
    expect(of('24')).toEqual({ device: 'graphics' });
    expect(of('21', 'vmware.serialport.device')).toEqual({ device: 'serial' });
    expect(of('22')).toEqual({ device: 'parallel' });
    expect(of('3')).toEqual({ device: 'processor' });
    expect(of('4', 'Machine Memory')).toEqual({ device: 'memory' });
    expect(of('34', 'vmware.vtpm')).toEqual({ device: 'other', resourceType: 34 });
    expect(of('89')).toEqual({ device: 'other', resourceType: 89 });
  });

  it('looks words up under the RASD’s own ResourceType only', () => {
    expect(of('6', 'virtio')).toMatchObject({ kinds: ['virtio-scsi'] });
    expect(of('20', 'virtio')).toMatchObject({ kinds: ['virtio-blk'] });
    expect(of('10', 'virtio')).toMatchObject({ models: ['virtio'] });
    // An RT 20 word under RT 6 names nothing there (and the reverse).
    expect(of('6', 'AHCI')).toMatchObject({ kinds: ['lsilogic'], certainty: 'guessed' });
    expect(of('20', 'lsilogic')).toEqual({ device: 'other', resourceType: 20 });
    expect(of('10', 'lsilogic')).toEqual({ device: 'nic', models: [], certainty: 'guessed' });
  });

  it('keeps each known word once, in order, and reads Hyper-V’s spaced subtypes whole', () => {
    expect(of('6', 'lsilogic LsiLogic, buslogic lsilogic')).toMatchObject({
      kinds: ['lsilogic', 'buslogic'],
    });
    expect(of('6', 'Microsoft:Hyper-V:Synthetic SCSI Controller')).toMatchObject({
      kinds: ['hyperv-scsi'],
      certainty: 'named',
    });
    expect(of('10', 'Microsoft:Hyper-V:Emulated Ethernet Port')).toMatchObject({ models: ['dec21140'] });
    expect(of('5', 'Microsoft:Hyper-V:Emulated IDE Controller')).toMatchObject({ kinds: ['ide'] });
  });

  it('never throws on hostile values', () => {
    const hostile: RasdProperties[] = [
      {},
      { ResourceType: 'six' },
      { ResourceType: '-6' },
      { ResourceType: '99999999999999999999' },
      { ResourceType: '6', ResourceSubType: ',,, ,\t\n' },
      { ResourceType: '6', ResourceSubType: 'x'.repeat(1 << 20) },
      { ResourceType: '6', ResourceSubType: 'constructor __proto__ toString' },
      { ResourceType: '10', ResourceSubType: 'hasOwnProperty' },
      { ResourceType: '1', OtherResourceType: 'controller', ResourceSubType: '__proto__', Model: ['a'] },
    ];
    for (const p of hostile) expect(() => classifyResource(rasd(p))).not.toThrow();
    expect(classifyResource(rasd({ ResourceType: 'six' }))).toEqual({
      device: 'other',
      resourceType: undefined,
    });
    expect(of('6', 'constructor __proto__ toString')).toMatchObject({ certainty: 'guessed' });
    expect(of('10', 'hasOwnProperty')).toEqual({ device: 'nic', models: [], certainty: 'guessed' });
  });
});

describe('classifyResource() on libvirt-cim’s RT 1 controllers (KVM_ControllerResourceAllocationSettingData)', () => {
  const ctl = (sub: string, model?: string) =>
    classifyResource(
      rasd({
        ResourceType: '1',
        OtherResourceType: 'controller',
        ResourceSubType: sub,
        ...(model === undefined ? {} : { Model: model }),
      }),
    );

  it.each([
    ['ide', undefined, 'ide'],
    ['sata', undefined, 'ahci'],
    ['scsi', 'virtio-scsi', 'virtio-scsi'],
    ['scsi', 'lsilogic', 'lsilogic'],
    ['scsi', 'lsisas1068', 'lsisas'],
    ['scsi', 'lsisas1078', 'megasas'],
    ['scsi', 'vmpvscsi', 'pvscsi'],
    ['scsi', 'buslogic', 'buslogic'],
  ])('%s with Model %j is %s', (sub, model, kind) => {
    expect(ctl(sub, model)).toEqual({ device: 'controller', kinds: [kind], certainty: 'named' });
  });

  it('gives a SCSI controller without a model LSI Logic, as libvirt does, and leaves other types alone', () => {
    expect(ctl('scsi')).toEqual({ device: 'controller', kinds: ['lsilogic'], certainty: 'defaulted' });
    expect(ctl('scsi', 'ibmvscsi')).toEqual({
      device: 'controller',
      kinds: ['lsilogic'],
      certainty: 'guessed',
    });
    for (const other of ['fdc', 'ccid', 'virtio-serial', 'pci'])
      expect(ctl(other)).toEqual({ device: 'other', resourceType: 1 });
    // RT 1 without OtherResourceType `controller` is not one.
    expect(of('1', 'scsi')).toEqual({ device: 'other', resourceType: 1 });
  });
});

describe('preferred()', () => {
  it('takes the first alternative the target supports', () => {
    const kinds = ['virtio-scsi', 'lsilogic'] as const;
    expect(preferred(kinds, () => true)).toBe('virtio-scsi');
    expect(preferred(kinds, (k) => k !== 'virtio-scsi')).toBe('lsilogic');
    expect(preferred(kinds, () => false)).toBeUndefined();
    expect(preferred([], () => true)).toBeUndefined();
  });
});
