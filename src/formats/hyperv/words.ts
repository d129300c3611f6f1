import { type FormatTarget, formatSlots } from '../target.js';
import { NativeWords } from '../words.js';

/** Hyper-V's ResourceSubType names (Msvm_* classes, root\virtualization\v2). */
export const HV = {
  processor: 'Microsoft:Hyper-V:Processor',
  memory: 'Microsoft:Hyper-V:Memory',
  ide: 'Microsoft:Hyper-V:Emulated IDE Controller',
  scsi: 'Microsoft:Hyper-V:Synthetic SCSI Controller',
  diskDrive: 'Microsoft:Hyper-V:Synthetic Disk Drive',
  dvdDrive: 'Microsoft:Hyper-V:Synthetic DVD Drive',
  floppyDrive: 'Microsoft:Hyper-V:Synthetic Diskette Drive',
  vhd: 'Microsoft:Hyper-V:Virtual Hard Disk',
  iso: 'Microsoft:Hyper-V:Virtual CD/DVD Disk',
  vfd: 'Microsoft:Hyper-V:Virtual Floppy Disk',
  nic: 'Microsoft:Hyper-V:Synthetic Ethernet Port',
  legacyNic: 'Microsoft:Hyper-V:Emulated Ethernet Port',
  connection: 'Microsoft:Hyper-V:Ethernet Connection',
  serial: 'Microsoft:Hyper-V:Serial Port',
  display: 'Microsoft:Hyper-V:Synthetic Display Controller',
  gen1: 'Microsoft:Hyper-V:SubType:1',
  gen2: 'Microsoft:Hyper-V:SubType:2',
} as const;

/** Hyper-V's words: the controllers' and NICs' ResourceSubType. Generation 1 has all four. */
export const HYPERV_WORDS = new NativeWords({
  ide: HV.ide,
  'hyperv-scsi': HV.scsi,
  'hyperv-synthetic': HV.nic,
  dec21140: HV.legacyNic,
});

/** Generation 2 (UEFI) has neither an IDE controller nor the legacy (emulated) network adapter. */
const GEN2_WORDS = new NativeWords({ 'hyperv-scsi': HV.scsi, 'hyperv-synthetic': HV.nic });

/**
 * Hyper-V as a target, by generation: BIOS is generation 1 (IDE, two channels of two; DVD drives on IDE only, as
 * its SCSI controllers take none), EFI generation 2 (SCSI only). Hyper-V is no producer of `SUBSTITUTES` rows:
 * every other controller becomes its synthetic SCSI controller (64 locations), every other NIC its synthetic
 * adapter.
 */
export function hypervTarget(gen2: boolean): FormatTarget {
  const name = gen2 ? 'Hyper-V generation 2 (EFI)' : 'Hyper-V generation 1';
  return {
    name,
    words: gen2 ? GEN2_WORDS : HYPERV_WORDS,
    slots: formatSlots(name, gen2 ? {} : { 'hyperv-scsi': { cdrom: false } }),
    prefer: gen2
      ? { disk: ['hyperv-scsi'], cdrom: ['hyperv-scsi'] }
      : { disk: ['ide', 'hyperv-scsi'], cdrom: ['ide'] },
    fallback: { controller: 'hyperv-scsi', nic: 'hyperv-synthetic' },
    defaultNic: 'hyperv-synthetic',
  };
}
