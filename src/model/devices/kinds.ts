import type { Bus, ControllerKind } from './vocabulary.js';

/**
 * What each controller kind is at the model level: its bus, whether it takes CD/DVD drives, how many slots a
 * definition may use on one controller (AddressOnParent 0..slots-1), which slot is the controller's own, and what
 * the RASD's Address means. Targets (a format writer, a driver) narrow these with their own {@link SlotPolicy}.
 */

/** The model's facts about one controller kind. */
export interface ControllerSpec {
  kind: ControllerKind;
  bus: Bus;
  /** A name for messages: `SATA (AHCI)`, `LSI Logic SAS`. */
  name: string;
  /** Whether CD/DVD drives can sit on it. */
  cdrom: boolean;
  /** AddressOnParent 0..slots-1; undefined: no addresses, drives are in definition order (virtio-blk). */
  slots: number | undefined;
  /** Slots no drive may use, e.g. SCSI id 7, the HBA's own on parallel SCSI. */
  reserved: readonly number[];
  /** What the RASD's Address means: the IDE channel, the SCSI bus number, or nothing. */
  address: 'channel' | 'bus' | 'none';
}

const spec = (
  kind: ControllerKind,
  bus: Bus,
  name: string,
  slots: number | undefined,
  o: { cdrom?: boolean; reserved?: readonly number[]; address?: ControllerSpec['address'] } = {},
): ControllerSpec => ({
  kind,
  bus,
  name,
  cdrom: o.cdrom ?? true,
  slots,
  reserved: o.reserved ?? [],
  address: o.address ?? (bus === 'scsi' ? 'bus' : 'none'),
});

/**
 * The spec table. Sources of the numbers: ATA master/slave per channel (an IDE RASD is one channel); AHCI 30
 * ports as VMware and VirtualBox offer; NVMe 256 namespaces (QEMU); virtio-scsi 256 targets (QEMU
 * `VIRTIO_SCSI_MAX_TARGET` 255); parallel SCSI 16 ids with 7 the HBA's own (VMware reserves it); PVSCSI 64
 * (QEMU `PVSCSI_MAX_DEVS`); MegaRAID SAS and Hyper-V SCSI 64; USB 127 device addresses.
 */
export const CONTROLLERS: Readonly<Record<ControllerKind, ControllerSpec>> = {
  ide: spec('ide', 'ide', 'IDE', 2, { address: 'channel' }),
  ahci: spec('ahci', 'sata', 'SATA (AHCI)', 30),
  nvme: spec('nvme', 'nvme', 'NVMe', 256, { cdrom: false }),
  'virtio-blk': spec('virtio-blk', 'virtio', 'virtio-blk', undefined, { cdrom: false }),
  'virtio-scsi': spec('virtio-scsi', 'scsi', 'virtio-scsi', 256),
  lsilogic: spec('lsilogic', 'scsi', 'LSI Logic', 16, { reserved: [7] }),
  lsisas: spec('lsisas', 'scsi', 'LSI Logic SAS', 16, { reserved: [7] }),
  buslogic: spec('buslogic', 'scsi', 'BusLogic', 16, { reserved: [7] }),
  pvscsi: spec('pvscsi', 'scsi', 'VMware PVSCSI', 64, { reserved: [7] }),
  megasas: spec('megasas', 'scsi', 'MegaRAID SAS', 64),
  'hyperv-scsi': spec('hyperv-scsi', 'scsi', 'Hyper-V SCSI', 64),
  usb: spec('usb', 'usb', 'USB', 127),
};

/**
 * Slot limits of a target: how many slots a kind offers (0: it holds no drives there), which are reserved, and
 * whether CD/DVD drives may sit on it.
 */
export interface SlotPolicy {
  /** Whose limits these are, for messages: `this host`, `VMware`. */
  readonly name: string;
  /** AddressOnParent 0..n-1 of one controller; undefined: drives are in order only; 0: no drives at all. */
  slots(kind: ControllerKind): number | undefined;
  /** Whether a slot of a kind is not for drives (the controller's own id). */
  reserved(kind: ControllerKind, slot: number): boolean;
  /** Whether a CD/DVD drive may sit on a controller of this kind. */
  cdrom(kind: ControllerKind): boolean;
}

/** Per-kind changes a target makes to the model's limits. */
export type SlotOverrides = Partial<
  Record<ControllerKind, { slots?: number | undefined; reserved?: readonly number[]; cdrom?: boolean }>
>;

/**
 * A policy from the model's table with some kinds changed; a target states only where it differs.
 *
 * @example
 * const qemu = slotPolicy('QEMU', { ahci: { slots: 6 }, lsilogic: { slots: 7, reserved: [] } });
 */
export function slotPolicy(name: string, overrides: SlotOverrides = {}): SlotPolicy {
  return {
    name,
    slots: (k) => {
      const o = overrides[k];
      return o !== undefined && 'slots' in o ? o.slots : CONTROLLERS[k].slots;
    },
    reserved: (k, slot) => (overrides[k]?.reserved ?? CONTROLLERS[k].reserved).includes(slot),
    cdrom: (k) => overrides[k]?.cdrom ?? CONTROLLERS[k].cdrom,
  };
}

/** What a definition may say, whatever runs it: the spec table as it is. */
export const MODEL_SLOTS: SlotPolicy = slotPolicy('the model');
