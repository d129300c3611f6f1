import { describe, expect, it } from 'vitest';
import { type RasdProperties, readDevices } from '../../model/index.js';
import { qemuControllerKind } from './devices.js';
import { controllerArgs } from './storage-argv.js';

const hw = (...list: RasdProperties[]) =>
  readDevices({
    system: {},
    resources: list.map((properties) => ({ cimClass: 'CIM_ResourceAllocationSettingData', properties })),
  });
const ctl = (ResourceType: string, ResourceSubType?: string) => ({
  InstanceID: 'c',
  ResourceType,
  ...(ResourceSubType === undefined ? {} : { ResourceSubType }),
});

describe('the QEMU controller table, keyed by controller kind', () => {
  it.each([
    ['6', 'virtio-scsi', 'virtio-scsi-pci'],
    ['20', 'VirtioSCSI', 'virtio-scsi-pci'],
    ['6', 'virtio lsilogic', 'virtio-scsi-pci'],
    ['6', 'lsilogic', 'lsi53c895a'],
    ['6', undefined, 'lsi53c895a'],
    ['6', 'someother, lsilogic', 'lsi53c895a'],
    ['6', 'buslogic', 'lsi53c895a'],
    ['6', 'lsilogicsas', 'mptsas1068'],
    ['20', 'LsiLogicSas', 'mptsas1068'],
    ['6', 'megasas', 'megasas'],
    ['6', 'VirtualSCSI', 'pvscsi'],
  ])('RT %s %j is %s', (rt, sub, device) => {
    expect(controllerArgs(hw(ctl(rt, sub)))).toEqual(['-device', `${device},id=scsi0`]);
  });

  it('gives no SCSI HBA to SATA, NVMe, IDE and virtio-blk controllers', () => {
    expect(controllerArgs(hw(ctl('20', 'AHCI')))).toEqual(['-device', 'ahci,id=sata0']);
    expect(controllerArgs(hw(ctl('20', 'NVMe')))).toEqual(['-device', 'nvme,id=nvme0,serial=vessel-nvme0']);
    expect(controllerArgs(hw(ctl('5', 'PIIX4')))).toEqual([]);
    expect(controllerArgs(hw(ctl('20', 'virtio')))).toEqual([]);
  });

  it('takes the first kind of a list that QEMU has, and refuses guesses and kinds it lacks', () => {
    const hyperv = hw(ctl('6', 'Microsoft:Hyper-V:Synthetic SCSI Controller'));
    expect(qemuControllerKind(hyperv.controllers[0]!)).toBeUndefined();
    expect(() => controllerArgs(hyperv)).toThrow('Controller "c": QEMU has no Hyper-V SCSI device');
    const odd = hw(ctl('6', 'adaptec'));
    expect(odd.controllers[0]!.certainty).toBe('guessed');
    expect(() => controllerArgs(odd)).toThrow('Unknown controller: SCSI subtype "adaptec" of "c"');
    const [list] = hw(ctl('6', 'Microsoft:Hyper-V:Synthetic SCSI Controller')).controllers;
    expect(qemuControllerKind({ ...list!, kinds: ['hyperv-scsi', 'pvscsi'] })).toBe('pvscsi');
  });
});
