import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors.js';
import { bootOrderOf } from './boot.js';
import { DefinitionBuilder } from './build.js';
import { readDevices } from './view.js';
import { CONTROLLER_KINDS, NIC_MODELS } from './vocabulary.js';

describe('DefinitionBuilder', () => {
  it('builds every controller kind and NIC model so that readDevices reads back the same words', () => {
    const b = new DefinitionBuilder({ ElementName: 'all' });
    const ids = CONTROLLER_KINDS.map((k) => b.controller(k));
    for (const m of NIC_MODELS) b.nic(m, 'net', '52:54:00:00:00:01');
    const view = readDevices(b.build());
    expect(view.controllers.map((c) => [c.instanceId, c.kind, c.certainty])).toEqual(
      CONTROLLER_KINDS.map((k, i) => [ids[i], k, k === 'usb' ? 'defaulted' : 'named']),
    );
    expect(view.nics.map((n) => n.model)).toEqual(NIC_MODELS);
    expect(view.nics.every((n) => n.network === 'net' && n.mac === '52:54:00:00:00:01')).toBe(true);
    expect(view.findings).toEqual([]);
  });

  it('places drives on controller slots, keeps image references, firmware and boot order', () => {
    const b = new DefinitionBuilder({ ElementName: 'w' });
    b.cpus(2);
    b.memory(1536n << 20n);
    const scsi = b.controller('virtio-scsi', { address: 0 });
    const usb = b.controller('usb', { usb: 'xhci' });
    const disk = b.drive('disk', { controller: scsi, slot: 3 }, 'ovf:/disk/d1');
    const cd = b.drive('cdrom', { controller: scsi, slot: 4 }, '/isos/seed.iso');
    const floppy = b.drive('floppy');
    const nic = b.nic({ subType: 'Flexible' }, 'lan');
    b.serial('/var/log/serial.log');
    b.graphics('qxl', { vnc: true });
    b.sound('hda');
    const view = readDevices(b.firmware('efi').bootOrder([nic, cd, disk]).build());
    expect(view.system).toMatchObject({ cpus: 2, memoryBytes: 1536n << 20n, firmware: 'efi' });
    expect(view.controllers.find((c) => c.instanceId === usb)?.usb).toBe('xhci');
    expect(view.drives.map((d) => [d.instanceId, d.kind, d.controller?.instanceId, d.slot, d.image])).toEqual(
      [
        [disk, 'disk', scsi, 3, { kind: 'ovf-disk', id: 'd1' }],
        [cd, 'cdrom', scsi, 4, { kind: 'path', path: '/isos/seed.iso' }],
        [floppy, 'floppy', undefined, undefined, undefined],
      ],
    );
    expect(view.nics[0]).toMatchObject({ model: 'pcnet', subType: 'Flexible', network: 'lan' });
    expect(view.serials[0]?.backend).toBe('/var/log/serial.log');
    expect(view.graphics[0]).toMatchObject({ model: 'qxl', vnc: true });
    expect(view.sound[0]?.model).toBe('hda');
    expect(bootOrderOf(view).map((d) => d.instanceId)).toEqual([nic, cd, disk]);
  });

  it('writes sizes in the unit style asked for, exactly', () => {
    const memory = (style: 'ovf1' | 'cim') => {
      const b = new DefinitionBuilder({}, { style });
      b.memory(3n << 29n);
      return b.build().resources[0]!.properties;
    };
    expect(memory('ovf1')).toMatchObject({ VirtualQuantity: '1536', AllocationUnits: 'byte * 2^20' });
    expect(memory('ovf1').VirtualQuantityUnits).toBeUndefined();
    expect(memory('cim')).toMatchObject({ AllocationUnits: 'byte*2^20', VirtualQuantityUnits: 'byte*2^20' });
  });

  it('refuses a CPU count that is not whole, and unsets firmware and boot order when asked', () => {
    expect(() => new DefinitionBuilder().cpus(1.5)).toThrow(ModelError);
    const b = new DefinitionBuilder({ Firmware: 'bios', BootOrder: ['1'] });
    expect(b.firmware(undefined).bootOrder([]).build().system).toEqual({});
  });
});
