import { describe, expect, it } from 'vitest';
import { CONTROLLERS, MODEL_SLOTS, slotPolicy } from './kinds.js';
import { CONTROLLER_KINDS } from './vocabulary.js';

describe('CONTROLLERS', () => {
  it('describes every kind under its own name', () => {
    expect(Object.keys(CONTROLLERS).sort()).toEqual([...CONTROLLER_KINDS].sort());
    for (const k of CONTROLLER_KINDS) expect(CONTROLLERS[k].kind).toBe(k);
  });

  it.each([
    // kind, bus, slots, reserved, CD/DVD, Address
    ['ide', 'ide', 2, [], true, 'channel'],
    ['ahci', 'sata', 30, [], true, 'none'],
    ['nvme', 'nvme', 256, [], false, 'none'],
    ['virtio-blk', 'virtio', undefined, [], false, 'none'],
    ['virtio-scsi', 'scsi', 256, [], true, 'bus'],
    ['lsilogic', 'scsi', 16, [7], true, 'bus'],
    ['lsisas', 'scsi', 16, [7], true, 'bus'],
    ['buslogic', 'scsi', 16, [7], true, 'bus'],
    ['pvscsi', 'scsi', 64, [7], true, 'bus'],
    ['megasas', 'scsi', 64, [], true, 'bus'],
    ['hyperv-scsi', 'scsi', 64, [], true, 'bus'],
    ['usb', 'usb', 127, [], true, 'none'],
  ] as const)(
    '%s: bus %s, %s slots, reserved %j, CD %s, Address %s',
    (kind, bus, slots, reserved, cdrom, address) => {
      expect(CONTROLLERS[kind]).toMatchObject({ bus, slots, reserved, cdrom, address });
    },
  );
});

describe('slot policies', () => {
  it('MODEL_SLOTS is the spec table', () => {
    for (const k of CONTROLLER_KINDS) {
      expect(MODEL_SLOTS.slots(k)).toBe(CONTROLLERS[k].slots);
      expect(MODEL_SLOTS.reserved(k, 7)).toBe(CONTROLLERS[k].reserved.includes(7));
    }
  });

  it('a target states only where it differs, an explicit undefined included', () => {
    const p = slotPolicy('QEMU', {
      ahci: { slots: 6 },
      lsilogic: { slots: 7, reserved: [] },
      nvme: { slots: undefined },
    });
    expect(p.name).toBe('QEMU');
    expect(p.slots('ahci')).toBe(6);
    expect(p.slots('lsilogic')).toBe(7);
    expect(p.reserved('lsilogic', 7)).toBe(false);
    expect(p.slots('nvme')).toBeUndefined();
    expect(p.slots('pvscsi')).toBe(64);
    expect(p.reserved('pvscsi', 7)).toBe(true);
  });
});
