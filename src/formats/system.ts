import { canonicalUuid, cpuCount, type DeviceView, type Firmware, memoryBytes } from '../model/index.js';
import type { GuestOs, SystemPackage, WarningCode } from './types.js';
import type { Warnings } from './warnings.js';

/**
 * The system-wide facts every writer needs, read once from the device view: a name, the UUID, the annotation,
 * CPUs and memory (with a usable fallback, reported), firmware and the guest OS; and the view's findings
 * (unreadable subtypes, firmware, boot order) reported as conversion warnings.
 */

/** What a writer writes about the system as a whole. */
export interface SystemFacts {
  name: string;
  uuid?: string | undefined;
  annotation?: string | undefined;
  cpus: number;
  memoryBytes: bigint;
  /** Undefined: the definition names none, and the target's default (BIOS) applies. */
  firmware?: Firmware | undefined;
  guestOs?: GuestOs | undefined;
  virtualSystemType?: string | undefined;
}

function readOrWarn<T>(read: () => T, what: 'CPU' | 'MEMORY', warnings: Warnings): T | undefined {
  try {
    return read();
  } catch (e) {
    const name = what === 'CPU' ? 'CPU count' : 'memory size';
    warnings.add(what, `The ${name} cannot be read: ${(e as Error).message}`);
    return undefined;
  }
}

/** The facts of a package's system; what cannot be read is warned about and given a usable value. */
export function systemFacts(pkg: SystemPackage, view: DeviceView, warnings: Warnings): SystemFacts {
  const def = pkg.definition;
  const sys = def.system;
  const cpus = readOrWarn(() => cpuCount(def), 'CPU', warnings);
  const mem = readOrWarn(() => memoryBytes(def), 'MEMORY', warnings);
  if (cpus === undefined || cpus < 1)
    warnings.add('CPU', 'The definition gives no usable CPU count; written as 1 CPU');
  if (mem === undefined || mem < 1n << 20n)
    warnings.add('MEMORY', 'The definition gives no usable memory size; written as 1024 MiB');
  return {
    name: sys.ElementName?.trim() || sys.VirtualSystemIdentifier || 'vm',
    uuid: canonicalUuid(sys.VirtualSystemIdentifier),
    annotation: sys.Description,
    cpus: cpus !== undefined && cpus >= 1 ? cpus : 1,
    memoryBytes: mem !== undefined && mem >= 1n << 20n ? mem : 1n << 30n,
    firmware: view.system.firmware,
    guestOs: pkg.guestOs,
    virtualSystemType: sys.VirtualSystemType,
  };
}

/**
 * Reports what the device view could not read (a subtype naming no known model, a firmware value, boot order
 * entries) as conversion warnings, each under the code of what it is about.
 */
export function reportFindings(view: DeviceView, warnings: Warnings): void {
  for (const f of view.findings) {
    const device = f.instanceId === undefined ? undefined : view.byId(f.instanceId);
    const code: WarningCode =
      device?.device === 'controller'
        ? 'CONTROLLER'
        : device?.device === 'nic'
          ? 'NIC_MODEL'
          : f.message.startsWith('Firmware')
            ? 'FIRMWARE'
            : f.message.startsWith('BootOrder')
              ? 'BOOT_ORDER'
              : 'DEVICE';
    warnings.add(code, f.message);
  }
}
