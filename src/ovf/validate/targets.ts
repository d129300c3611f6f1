/**
 * Target profiles: warnings about what one platform is known to reject or misread, from its importer's code and
 * users' reports (../shared/notes/ovf-tools.md §1b, §1c, §1d, §1f, §1g). `vmware` is ESXi/vCenter/ovftool,
 * `virtualbox` is VBoxManage import, `qemu` is the KVM/QEMU importers (virt-v2v -i ova, Proxmox qm importovf).
 */
import { ResourceType } from '../../model/index.js';
import type { OvfItem, OvfVirtualHardwareSection } from '../types.js';
import type { ValidationContext } from './context.js';
import { itemName, prop } from './refs.js';

/** Runs the target profile the options name, if any. */
export function checkTarget(ctx: ValidationContext): void {
  const target = ctx.options.target;
  if (target === undefined) return;
  ({ vmware, virtualbox, qemu })[target](ctx);
}

function hardware(ctx: ValidationContext): OvfVirtualHardwareSection[] {
  const out: OvfVirtualHardwareSection[] = [];
  for (const { section } of ctx.sections) if (section.kind === 'VirtualHardwareSection') out.push(section);
  return out;
}

const subtypes = (it: OvfItem) => (prop(it, 'ResourceSubType') ?? '').split(/[\s,]+/).filter((t) => t !== '');
const typeOf = (it: OvfItem) => Number(prop(it, 'ResourceType'));

/**
 * Subtypes other producers write that ESXi refuses ("VALUE_ILLEGAL: Value 'PIIX4' of ResourceSubType element not
 * found"), per ResourceType (lower case); VMware's own are many and versioned, so only these are flagged.
 */
const VMWARE_REFUSED: Record<number, ReadonlySet<string>> = {
  [ResourceType.IdeController]: new Set(['piix3', 'piix4', 'ich6']),
  [ResourceType.ParallelScsiHba]: new Set(['virtio', 'virtioscsi', 'virtio-scsi']),
  [ResourceType.OtherStorageDevice]: new Set(['ahci', 'virtioscsi', 'virtio-scsi', 'nvme']),
  [ResourceType.EthernetAdapter]: new Set([
    'virtio',
    'virtio-net',
    'am79c970a',
    'am79c973',
    'i82540em',
    'i82543gc',
    'i82545em',
  ]),
};

/** What to write instead, where VMware has an equivalent (vmwareify's conversions). */
const VMWARE_INSTEAD: Record<string, string> = {
  ahci: 'vmware.sata.ahci',
  nvme: 'vmware.nvme.controller',
  piix3: 'nothing (leave ResourceSubType out)',
  piix4: 'nothing (leave ResourceSubType out)',
  ich6: 'nothing (leave ResourceSubType out)',
};

function vmware(ctx: ValidationContext): void {
  for (const s of hardware(ctx)) {
    const types = s.system?.properties.VirtualSystemType;
    const family = Array.isArray(types) ? types.join(' ') : types;
    if (family !== undefined && !family.split(/[\s,]+/).some((f) => /^vmx-\d+$/.test(f))) {
      ctx.report(
        'OVF_TARGET_HARDWARE_FAMILY',
        s.system,
        `ESXi refuses VirtualSystemType "${family}": "Unsupported hardware family"; it accepts vmx-NN families`,
        'List a VMware family too, e.g. "vmx-13 virtualbox-2.2", or convert the descriptor for VMware.',
      );
    }
    const vmx = Math.max(
      0,
      ...(family ?? '').split(/[\s,]+/).map((f) => Number(/^vmx-(\d+)$/.exec(f)?.[1] ?? 0)),
    );
    const vbs = s.extra.some(
      (x) => x.local === 'Config' && x.attrs.some((a) => a.local === 'key' && a.value === 'flags.vbsEnabled'),
    );
    if (vbs && vmx > 0 && vmx < 14) {
      ctx.report(
        'OVF_TARGET_HARDWARE_VERSION',
        s,
        `Virtualization-based security (flags.vbsEnabled) needs hardware version vmx-14 or later, not vmx-${vmx}`,
      );
    }
    for (const it of s.items) {
      if (it.element !== 'Item') {
        ctx.report(
          'OVF_TARGET_ELEMENT',
          it,
          `VMware products read OVF 1.x only and refuse <${it.element}>: "Unsupported element '${it.element}'"`,
          'Write the device as an OVF 1.x <Item>.',
        );
      }
      const refused = VMWARE_REFUSED[typeOf(it)];
      const subs = subtypes(it);
      // A list of alternatives ("VMXNET3 virtio") is fine while one of them is not refused.
      if (refused !== undefined && subs.length > 0 && subs.every((t) => refused.has(t.toLowerCase()))) {
        const first = subs[0]!.toLowerCase();
        ctx.report(
          'OVF_TARGET_RESOURCE_SUBTYPE',
          { line: it.propertyLines?.ResourceSubType ?? it.line },
          `ESXi refuses ResourceSubType "${subs.join(' ')}" of ${itemName(it)}: "VALUE_ILLEGAL: Value '${subs[0]}' of ResourceSubType element not found"`,
          VMWARE_INSTEAD[first] === undefined
            ? 'Use a VMware device type or list one as an alternative.'
            : `VMware expects ${VMWARE_INSTEAD[first]}.`,
        );
      }
    }
  }
}

/** The only memory units VirtualBox's reader accepts (ovfreader.cpp), compared exactly. */
const VBOX_MEMORY_UNITS = new Set(['MegaBytes', 'MB', 'byte * 2^20', 'GigaBytes', 'GB', 'byte * 2^30']);
const VBOX_SATA = new Set([
  'ahci',
  'vmware.sata.ahci',
  'virtioscsi',
  'virtio-scsi',
  'nvme',
  'vmware.nvme.controller',
]);

function virtualbox(ctx: ValidationContext): void {
  for (const f of ctx.env.references) {
    if (f.chunkSize !== undefined) {
      ctx.report(
        'OVF_TARGET_FEATURE',
        f,
        `VirtualBox does not read chunked files (File "${f.id}" has ovf:chunkSize)`,
      );
    }
  }
  for (const { section: s } of ctx.sections) {
    if (s.kind === 'DiskSection') {
      for (const d of s.disks) {
        if (d.capacity.trim().startsWith('${')) {
          ctx.report(
            'OVF_TARGET_FEATURE',
            d,
            `VirtualBox refuses Disk "${d.diskId}": its capacity is not a number`,
          );
        }
      }
    }
    if (s.kind === 'ProductSection' && s.entries.some((e) => e.entry === 'Property')) {
      ctx.report(
        'OVF_TARGET_FEATURE',
        s,
        'VirtualBox ignores ProductSection properties and the OVF environment',
      );
    }
  }
  for (const s of hardware(ctx)) {
    for (const it of s.items) {
      const rt = typeOf(it);
      const units = prop(it, 'AllocationUnits');
      if (rt === ResourceType.Memory && units !== undefined && !VBOX_MEMORY_UNITS.has(units.trim())) {
        ctx.report(
          'OVF_TARGET_UNITS',
          { line: it.propertyLines?.AllocationUnits ?? it.line },
          `VirtualBox refuses memory AllocationUnits "${units}" ("Invalid allocation unit"); it accepts exactly MegaBytes, MB, byte * 2^20, GigaBytes, GB or byte * 2^30`,
        );
      }
      if (rt >= 0x8000 && it.required?.trim() !== 'false') {
        ctx.report(
          'OVF_TARGET_RESOURCE_TYPE',
          it,
          `VirtualBox refuses required ${itemName(it)} with vendor ResourceType ${rt}: "Unknown resource type ${rt} in hardware item"`,
          'Mark vendor devices (such as NVRAM, 32768) ovf:required="false".',
        );
      }
      const subs = subtypes(it);
      if (
        rt === ResourceType.OtherStorageDevice &&
        subs.length > 0 &&
        !subs.some((t) => VBOX_SATA.has(t.toLowerCase()))
      ) {
        ctx.report(
          'OVF_TARGET_RESOURCE_SUBTYPE',
          { line: it.propertyLines?.ResourceSubType ?? it.line },
          `VirtualBox refuses storage controller subtype "${subs.join(' ')}"; it reads AHCI, VirtioSCSI and NVMe`,
        );
      }
    }
  }
}

function qemu(ctx: ValidationContext): void {
  const env = ctx.env;
  if (env.generation !== '1') {
    ctx.report(
      'OVF_TARGET_FEATURE',
      env,
      `virt-v2v and Proxmox read OVF 1.x (envelope/1) only; this descriptor is OVF ${env.generation === '2' ? '2.x' : '0.9'}`,
    );
  }
  if (env.content?.kind === 'VirtualSystemCollection') {
    ctx.report(
      'OVF_TARGET_FEATURE',
      env.content,
      'virt-v2v and Proxmox import one VirtualSystem; they do not read VirtualSystemCollection',
    );
  }
  for (const f of env.references) {
    if (f.compression !== undefined && !['', 'gzip', 'identity'].includes(f.compression.trim())) {
      ctx.report(
        'OVF_TARGET_FEATURE',
        f,
        `virt-v2v refuses ovf:compression="${f.compression}" (File "${f.id}")`,
      );
    }
    if (f.chunkSize !== undefined) {
      ctx.report(
        'OVF_TARGET_FEATURE',
        f,
        `virt-v2v and Proxmox do not reassemble chunked files (File "${f.id}")`,
      );
    }
  }
  for (const s of hardware(ctx)) {
    for (const it of s.items) {
      const units = prop(it, 'AllocationUnits')?.trim();
      if (typeOf(it) !== ResourceType.Memory || units === undefined) continue;
      if (/^(byte \* 2\^20|byte\*2\^20|MegaBytes|MB)$/.test(units)) continue;
      ctx.report(
        'OVF_TARGET_UNITS',
        { line: it.propertyLines?.AllocationUnits ?? it.line },
        `virt-v2v and Proxmox read memory VirtualQuantity as MiB and ignore AllocationUnits "${units}"`,
        'Give memory in "byte * 2^20" so that every importer reads the same size.',
      );
    }
  }
}
