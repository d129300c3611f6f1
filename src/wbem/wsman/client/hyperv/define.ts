import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../../api/index.js';
import { type CimInstance, type CimInstanceName, isInstanceName } from '../../../../cim/index.js';
import { readDevices, type VirtualSystemDefinition } from '../../../../model/index.js';
import type { CallContext } from '../../../cimxml/api/index.js';
import { embeddedInstance, wmiPath } from './embedded.js';
import { componentQuery, MSVM, vssdQuery, wqlString } from './names.js';
import type { HypervSession, Located } from './session.js';
import { SUBTYPE_OF_FIRMWARE } from './values.js';

/**
 * DefineSystem as libvirt's hyperv driver does it (hypervDomainDefineXML): the VSSD first (name, generation), then
 * ModifyResourceSettings of the processor and memory Hyper-V made with it, then AddResourceSettings for each
 * drive (a synthetic SCSI controller, a drive on it, the virtual hard disk or ISO in the drive) and each NIC (a
 * synthetic port, connected to the virtual switch its network names). What the definition means comes from
 * src/model's device view; a step that fails destroys the half-made VM and reports the step.
 */

const text = (i: CimInstance, p: string): string | undefined => {
  const v = i.properties[p];
  return typeof v === 'string' ? v : undefined;
};

const str = (value: string | string[]) => ({ type: 'string' as const, value });

/** Hyper-V's synthetic device subtypes (MSDN "Msvm_ResourceAllocationSettingData"; the model's spellings). */
const SUBTYPE = {
  scsi: 'Microsoft:Hyper-V:Synthetic SCSI Controller',
  disk: 'Microsoft:Hyper-V:Synthetic Disk Drive',
  dvd: 'Microsoft:Hyper-V:Synthetic DVD Drive',
  vhd: 'Microsoft:Hyper-V:Virtual Hard Disk',
  iso: 'Microsoft:Hyper-V:Virtual CD/DVD Disk',
  port: 'Microsoft:Hyper-V:Synthetic Ethernet Port',
  connection: 'Microsoft:Hyper-V:Ethernet Connection',
} as const;

/** The network name Vessel gives a NIC that names none: user-mode NAT, which Hyper-V has no switch for. */
const DEFAULT_NETWORK = 'user';

async function addResources(
  s: HypervSession,
  ctx: CallContext,
  vssd: CimInstanceName,
  settings: string[],
): Promise<CimInstanceName[]> {
  const svc = await s.managementService();
  const out = await s.invoke(ctx, svc.path, 'AddResourceSettings', {
    AffectedConfiguration: { type: 'reference', value: vssd },
    ResourceSettings: str(settings),
  });
  const made = out.out.ResultingResourceSettings;
  const list = (Array.isArray(made) ? made : [made]).filter(isInstanceName);
  if (list.length !== settings.length)
    throw new ApiError(
      'PROTOCOL',
      `${ctx.what} on ${s.where}: AddResourceSettings made ${list.length} settings for ${settings.length}`,
    );
  return list;
}

/** The WMI path of a setting Hyper-V made, for the Parent of the next. */
function pathOf(host: string, made: CimInstanceName, s: HypervSession, what: string): string {
  const id = made.keys.InstanceID;
  if (typeof id !== 'string')
    throw new ApiError('PROTOCOL', `${what} on ${s.where}: a new ${made.className} has no InstanceID`);
  return wmiPath(host, made.className, id);
}

async function settingsOf(
  s: HypervSession,
  ctx: CallContext,
  vssdId: string,
  cls: string,
): Promise<CimInstance> {
  const [one] = await s.query(ctx, componentQuery(vssdId, cls));
  if (one === undefined)
    throw new ApiError('PROTOCOL', `${ctx.what} on ${s.where}: the new VM has no ${cls}`);
  return one;
}

async function configure(
  s: HypervSession,
  def: VirtualSystemDefinition,
  vm: Located,
  what: string,
): Promise<void> {
  const view = readDevices(def);
  const guid = text(vm, 'Name') ?? '';
  const ctx: CallContext = { what, invalid: 'DEFINITION_INVALID' };
  const [vssd] = await s.query(ctx, vssdQuery(guid));
  const vssdId = vssd && text(vssd, 'InstanceID');
  if (vssd === undefined || vssdId === undefined)
    throw new ApiError('PROTOCOL', `${what} on ${s.where}: the new VM has no ${MSVM.vssd}`);
  const svc = await s.managementService();
  const host = text(svc, 'SystemName') ?? '.';
  const modify: string[] = [];
  if (view.system.cpus !== undefined) {
    const cpu = await settingsOf(s, ctx, vssdId, MSVM.processor);
    modify.push(
      embeddedInstance(MSVM.processor, {
        InstanceID: text(cpu, 'InstanceID'),
        VirtualQuantity: String(view.system.cpus),
      }),
    );
  }
  if (view.system.memoryBytes !== undefined) {
    const mb = view.system.memoryBytes / 1048576n;
    if (mb * 1048576n !== view.system.memoryBytes || mb === 0n)
      throw new ApiError(
        'DEFINITION_INVALID',
        `${what}: Hyper-V sizes memory in whole MiB, and ${view.system.memoryBytes} bytes is not one`,
      );
    const mem = await settingsOf(s, ctx, vssdId, MSVM.memory);
    const q = String(mb);
    modify.push(
      embeddedInstance(MSVM.memory, {
        InstanceID: text(mem, 'InstanceID'),
        VirtualQuantity: q,
        Reservation: q,
        Limit: q,
      }),
    );
  }
  if (modify.length > 0)
    await s.invoke(ctx, svc.path, 'ModifyResourceSettings', { ResourceSettings: str(modify) });
  const drives = view.drives.filter((d) => d.kind !== 'floppy');
  if (drives.length > 0) {
    const [scsi] = await addResources(s, ctx, vssd.path, [
      embeddedInstance(MSVM.rasd, { ResourceType: '6', ResourceSubType: SUBTYPE.scsi }),
    ]);
    const scsiPath = pathOf(host, scsi!, s, what);
    for (const [n, d] of drives.entries()) {
      const dvd = d.kind === 'cdrom';
      const [drive] = await addResources(s, ctx, vssd.path, [
        embeddedInstance(MSVM.rasd, {
          ResourceType: dvd ? '16' : '17',
          ResourceSubType: dvd ? SUBTYPE.dvd : SUBTYPE.disk,
          Parent: scsiPath,
          AddressOnParent: String(n),
        }),
      ]);
      const image = d.image?.kind === 'path' ? d.image.path : d.hostResource;
      if (image === undefined || image === '') continue;
      await addResources(s, ctx, vssd.path, [
        embeddedInstance(MSVM.sasd, {
          ResourceType: dvd ? '16' : '31',
          ResourceSubType: dvd ? SUBTYPE.iso : SUBTYPE.vhd,
          Parent: pathOf(host, drive!, s, what),
          HostResource: [image],
        }),
      ]);
    }
  }
  for (const nic of view.nics) {
    const mac = nic.mac?.replace(/[:-]/g, '').toUpperCase();
    const [port] = await addResources(s, ctx, vssd.path, [
      embeddedInstance(MSVM.nic, {
        ResourceType: '10',
        ResourceSubType: SUBTYPE.port,
        ElementName: 'Network Adapter',
        VirtualSystemIdentifiers: [`{${randomUUID().toUpperCase()}}`],
        ...(mac === undefined ? {} : { StaticMacAddress: 'true', Address: mac }),
      }),
    ]);
    const network = nic.network ?? DEFAULT_NETWORK;
    if (network === DEFAULT_NETWORK) continue;
    const [sw] = await s.query(
      ctx,
      `SELECT * FROM Msvm_VirtualEthernetSwitch WHERE ElementName = ${wqlString(network)}`,
    );
    const switchName = sw && text(sw, 'Name');
    if (switchName === undefined)
      throw new ApiError(
        'NOT_FOUND',
        `${what}: ${s.where} has no virtual switch "${network.slice(0, 128)}"`,
        {
          hint: 'Name a Hyper-V virtual switch (Get-VMSwitch) as the NIC network',
          detail: { domain: 'hyperv', code: 'SWITCH_NOT_FOUND' },
        },
      );
    await addResources(s, ctx, vssd.path, [
      embeddedInstance(MSVM.connection, {
        ResourceType: '33',
        ResourceSubType: SUBTYPE.connection,
        Parent: pathOf(host, port!, s, what),
        HostResource: [
          `\\\\${host}\\root\\virtualization\\v2:Msvm_VirtualEthernetSwitch.CreationClassName="Msvm_VirtualEthernetSwitch",Name="${switchName.replace(/[\\"]/g, (c) => `\\${c}`)}"`,
        ],
      }),
    ]);
  }
}

/**
 * Defines a VM on Hyper-V from the model's definition and answers it (its Msvm_ComputerSystem with EPR). The name
 * must be free (Hyper-V itself allows duplicates; Vessel's names are unique); a failure after DefineSystem
 * destroys the new VM, so that nothing half-made stays.
 *
 * @example
 * const vm = await defineVm(session, def);
 */
export async function defineVm(s: HypervSession, def: VirtualSystemDefinition): Promise<Located> {
  const name = def.system.ElementName;
  if (typeof name !== 'string' || name.trim() === '')
    throw new ApiError('DEFINITION_INVALID', 'Cannot define a system without a name (VSSD ElementName)');
  const what = `Cannot define "${name.slice(0, 128)}"`;
  const ctx: CallContext = { what, invalid: 'DEFINITION_INVALID', exists: 'VM_EXISTS' };
  if ((await s.vms(ctx, { ElementName: name })).length > 0)
    throw new ApiError('VM_EXISTS', `${what}: ${s.where} already has a virtual machine of that name`);
  const firmware = def.system.Firmware === 'efi' ? 'efi' : 'bios';
  const svc = await s.managementService();
  const out = await s.invoke(ctx, svc.path, 'DefineSystem', {
    SystemSettings: str(
      embeddedInstance(MSVM.vssd, { ElementName: name, VirtualSystemSubType: SUBTYPE_OF_FIRMWARE[firmware] }),
    ),
  });
  const made = out.out.ResultingSystem;
  const guid = isInstanceName(made) ? made.keys.Name : undefined;
  const [vm] = typeof guid === 'string' ? await s.vms(ctx, { Name: guid }) : [];
  if (vm === undefined)
    throw new ApiError(
      'PROTOCOL',
      `${what} on ${s.where}: DefineSystem named no ResultingSystem that exists`,
    );
  try {
    await configure(s, def, vm, what);
  } catch (e) {
    await s
      .invoke({ what: `${what}: removing the half-made VM` }, svc.path, 'DestroySystem', {
        AffectedSystem: { type: 'reference', value: vm.path },
      })
      .catch(() => undefined);
    throw e;
  }
  return vm;
}
