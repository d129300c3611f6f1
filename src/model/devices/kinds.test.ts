import { describe, expect, it } from 'vitest';
import { CONTROLLERS, LEGACY_QEMU_SLOTS, MODEL_SLOTS, slotPolicy } from './kinds.js';
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

  it('LEGACY_QEMU_SLOTS keeps the numbers the host checked before (SATA 6, SCSI 16 without 7 reserved)', () => {
    expect(LEGACY_QEMU_SLOTS.slots('ide')).toBe(2);
    expect(LEGACY_QEMU_SLOTS.slots('ahci')).toBe(6);
    expect(LEGACY_QEMU_SLOTS.slots('nvme')).toBe(256);
    expect(LEGACY_QEMU_SLOTS.slots('virtio-blk')).toBeUndefined();
    for (const k of ['lsilogic', 'lsisas', 'buslogic', 'pvscsi', 'megasas', 'hyperv-scsi'] as const) {
      expect(LEGACY_QEMU_SLOTS.slots(k)).toBe(16);
      expect(LEGACY_QEMU_SLOTS.reserved(k, 7)).toBe(false);
    }
    expect(LEGACY_QEMU_SLOTS.slots('virtio-scsi')).toBe(256);
    expect(LEGACY_QEMU_SLOTS.slots('usb')).toBe(0);
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
