import { describe, expect, it } from 'vitest';
import type { RasdProperties, VirtualSystemDefinition } from '../settings.js';
import { MODEL_SLOTS, slotPolicy } from './kinds.js';
import { placeDrives } from './place.js';
import { readDevices } from './view.js';

/** A target that does not reserve SCSI id 7 and puts no drives on USB (the QEMU host's old limits). */
const LEGACY_QEMU_SLOTS = slotPolicy('this host', {
  lsilogic: { slots: 16, reserved: [] },
  usb: { slots: 0 },
});

const def = (...list: RasdProperties[]): VirtualSystemDefinition => ({
  system: { ElementName: 'p' },
  resources: list.map((properties) => ({ cimClass: 'CIM_ResourceAllocationSettingData', properties })),
});
const ctl = (InstanceID: string, ResourceType: string, ResourceSubType?: string): RasdProperties => ({
  InstanceID,
  ResourceType,
  ...(ResourceSubType === undefined ? {} : { ResourceSubType }),
});
const disk = (InstanceID: string, Parent?: string, AddressOnParent?: string): RasdProperties => ({
  InstanceID,
  ResourceType: '17',
  HostResource: [`/img/${InstanceID}`],
  ...(Parent === undefined ? {} : { Parent }),
  ...(AddressOnParent === undefined ? {} : { AddressOnParent }),
});
const cd = (InstanceID: string, Parent?: string, AddressOnParent?: string): RasdProperties => ({
  ...disk(InstanceID, Parent, AddressOnParent),
  ResourceType: '15',
});
const where = (p: ReturnType<typeof placeDrives>) =>
  Object.fromEntries(
    [...p.placements].map(([id, x]) => [id, `${x.controller}:${x.slot}${x.moved ? ' moved' : ''}`]),
  );

describe('placeDrives()', () => {
  it('keeps every drive where the definition puts it when the target has the slot', () => {
    const p = placeDrives(
      readDevices(def(ctl('i', '5'), ctl('s', '6'), disk('a', 's', '3'), cd('c', 'i', '1'), disk('v'))),
      MODEL_SLOTS,
    );
    expect(where(p)).toMatchObject({ a: 's:3', c: 'i:1' });
    expect(p.added).toEqual([]);
    expect(p.unplaced).toEqual([]);
  });

  it('moves a drive that shares a slot to a free one of its controller, then of the other IDE channel (old VirtualBox)', () => {
    const p = placeDrives(
      readDevices(
        def(
          ctl('ide0', '5'),
          ctl('ide1', '5'),
          disk('a', 'ide0', '0'),
          cd('c', 'ide0', '0'),
          cd('e', 'ide0', '1'),
        ),
      ),
      MODEL_SLOTS,
    );
    // Drives placed as the definition says stay; the one that clashes moves.
    expect(where(p)).toEqual({ a: 'ide0:0', c: 'ide1:0 moved', e: 'ide0:1' });
    expect(p.placements.get('c')?.moved).toBe('slot 0 is taken');
    const two = placeDrives(
      readDevices(def(ctl('ide0', '5'), disk('a', 'ide0', '0'), cd('c', 'ide0', '0'))),
      MODEL_SLOTS,
    );
    expect(where(two)).toEqual({ a: 'ide0:0', c: 'ide0:1 moved' });
  });

  it('skips SCSI id 7 on parallel SCSI, and moves a drive the definition put there', () => {
    const list = [ctl('s', '6', 'lsilogic'), ...Array.from({ length: 9 }, (_, i) => disk(`d${i}`, 's'))];
    const p = placeDrives(readDevices(def(...list, disk('seven', 's', '7'))), MODEL_SLOTS);
    expect([...p.placements.values()].map((x) => x.slot)).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 10]);
    expect(p.placements.get('seven')?.moved).toBe(
      'slot 7 of LSI Logic controller "s" is not available on the model',
    );
    // The legacy QEMU host did not reserve it.
    expect(
      placeDrives(readDevices(def(ctl('s', '6'), disk('seven', 's', '7'))), LEGACY_QEMU_SLOTS).placements.get(
        'seven',
      ),
    ).toEqual({
      controller: 's',
      slot: 7,
    });
  });

  it('narrows to the target: port 6 of AHCI is out of range for QEMU (6 ports), not for the model (30)', () => {
    const v = readDevices(def(ctl('sata', '20', 'AHCI'), disk('a', 'sata', '6')));
    expect(where(placeDrives(v, MODEL_SLOTS))).toEqual({ a: 'sata:6' });
    expect(where(placeDrives(v, slotPolicy('QEMU', { ahci: { slots: 6 } })))).toEqual({ a: 'sata:0 moved' });
  });

  it('gives drives without a controller the preferred one: disks SCSI, then SATA, virtio-blk, NVMe, IDE; CDs IDE first', () => {
    const p = placeDrives(
      readDevices(def(ctl('i', '5'), ctl('n', '20', 'NVMe'), ctl('s', '6', 'buslogic'), disk('a'), cd('c'))),
      MODEL_SLOTS,
    );
    expect(where(p)).toEqual({ a: 's:0', c: 'i:0' });
    const nvmeOnly = placeDrives(readDevices(def(ctl('n', '20', 'NVMe'), disk('a'))), MODEL_SLOTS);
    expect(where(nvmeOnly)).toEqual({ a: 'n:0' });
  });

  it('moves a CD off a controller that takes none (NVMe) and a drive whose Parent is not a controller', () => {
    const p = placeDrives(
      readDevices(
        def(
          ctl('n', '20', 'NVMe'),
          { InstanceID: 'nic', ResourceType: '10' },
          cd('c', 'n', '0'),
          disk('a', 'nic', '0'),
        ),
      ),
      MODEL_SLOTS,
    );
    // The CD needs a controller that takes CDs (an IDE channel is added); the disk fits on the NVMe one.
    expect(p.added).toEqual([{ instanceId: 'vessel-ide0', kind: 'ide' }]);
    expect(where(p)).toEqual({ c: 'vessel-ide0:0 moved', a: 'n:0 moved' });
    expect(p.placements.get('c')?.moved).toBe('the model puts no CD/DVD on NVMe controller "n"');
    expect(p.placements.get('a')?.moved).toBe('its Parent "nic" is not a storage controller');
  });

  it('adds a controller when every suitable one is full, with an id no resource has', () => {
    const full = [
      ctl('i0', '5'),
      ctl('i1', '5'),
      cd('a', 'i0', '0'),
      cd('b', 'i0', '1'),
      cd('c', 'i1', '0'),
      cd('d', 'i1', '1'),
    ];
    const p = placeDrives(
      readDevices(def(...full, { InstanceID: 'vessel-ahci0', ResourceType: '21' }, cd('e'))),
      MODEL_SLOTS,
    );
    // No third IDE channel: a PC has two. The next kind a CD takes is SATA.
    expect(p.added).toEqual([{ instanceId: 'vessel-ahci1', kind: 'ahci' }]);
    expect(where(p).e).toBe('vessel-ahci1:0');
    const disks = Array.from({ length: 17 }, (_, i) => disk(`d${i}`));
    const many = placeDrives(readDevices(def(ctl('s', '6'), ...disks)), MODEL_SLOTS);
    expect(many.added).toEqual([{ instanceId: 'vessel-lsilogic0', kind: 'lsilogic' }]);
    expect([...many.placements.values()].filter((x) => x.controller === 's')).toHaveLength(15);
  });

  it('orders virtio-blk disks without limit, and places no floppy', () => {
    const p = placeDrives(
      readDevices(
        def(ctl('v', '20', 'virtio'), disk('a', 'v', '5'), disk('b', 'v'), {
          InstanceID: 'f',
          ResourceType: '14',
        }),
      ),
      MODEL_SLOTS,
    );
    expect(where(p)).toEqual({ a: 'v:5', b: 'v:0' });
  });

  it('reports a drive with nowhere to go', () => {
    const p = placeDrives(readDevices(def(ctl('u', '23'), disk('a', 'u', '0'))), LEGACY_QEMU_SLOTS, {
      disk: [],
      cdrom: [],
    });
    expect(p.placements.size).toBe(0);
    expect(p.unplaced).toEqual([
      {
        instanceId: 'a',
        reason: 'this host puts no drive on USB controller "u", and no controller this host offers has room',
      },
    ]);
  });

  it('never edits the definition', () => {
    const d = def(ctl('i', '5'), disk('a', 'i', '0'), disk('b', 'i', '0'), disk('c'));
    const before = structuredClone(d);
    placeDrives(readDevices(d), MODEL_SLOTS);
    expect(d).toEqual(before);
  });
});
