import {
  cpuCount,
  FIRMWARE_PROPERTY,
  memoryBytes,
  readHardware,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import {
  type ConsolePaths,
  displayArgs,
  type NetworkConfig,
  nicArgs,
  serialArgs,
  soundArgs,
} from './devices-argv.js';
import { controllerArgs, type DriveImage, driveArgs, optValue } from './storage-argv.js';

/** Everything besides the definition that the command line depends on. */
export interface ArgvContext {
  uuid: string;
  accel: 'kvm' | 'tcg';
  qmpSocket: string;
  pidFile: string;
  console: ConsolePaths;
  /** The file QEMU opens for each disk, by InstanceID (an overlay on the image, normally). */
  images: ReadonlyMap<string, DriveImage>;
  networks?: ReadonlyMap<string, NetworkConfig>;
  vncDisplay?: number;
  /** UEFI firmware: the read-only code and this system's copy of the variable store. */
  uefi?: { code: string; vars: string };
}

/** The machine type for a VirtualSystemType: `q35` when it names one, else the i440FX `pc`. */
export function machineFor(def: VirtualSystemDefinition): 'pc' | 'q35' {
  return /q35/i.test(def.system.VirtualSystemType ?? '') ? 'q35' : 'pc';
}

/** The memory in whole MiB, as QEMU wants it; `NOT_SUPPORTED` for other sizes. */
function memoryMiB(def: VirtualSystemDefinition): bigint {
  const bytes = memoryBytes(def);
  if (bytes === undefined) throw new HypervisorError('DEFINITION_INVALID', 'The definition has no memory');
  if (bytes % (1n << 20n) !== 0n) {
    throw new HypervisorError('NOT_SUPPORTED', `QEMU gives memory in whole MiB; ${bytes} bytes is not`);
  }
  return bytes >> 20n;
}

/**
 * Builds the QEMU command line (without the binary) for a definition: the one place the model becomes QEMU's
 * configuration. QEMU runs with no defaults (`-nodefaults`), QMP on a unix socket, the first serial port as the
 * console, disks through `images`, user-mode networking unless `networks` says otherwise, and a balloon device.
 *
 * @example
 * const argv = buildQemuArgv(def, { uuid, accel: 'tcg', qmpSocket, pidFile, console, images });
 * spawn('qemu-system-x86_64', argv);
 */
export function buildQemuArgv(def: VirtualSystemDefinition, ctx: ArgvContext): string[] {
  const hw = readHardware(def.resources);
  const machine = machineFor(def);
  if (machine === 'q35' && hw.controllers.some((c) => c.kind === 'ide')) {
    throw new HypervisorError('NOT_SUPPORTED', 'The q35 machine has no IDE controller; use SATA (AHCI)');
  }
  const cpus = cpuCount(def) ?? 1;
  const firmware = String(def.system[FIRMWARE_PROPERTY] ?? 'bios').toLowerCase();
  const argv = [
    '-name',
    `guest=${optValue(def.system.ElementName ?? ctx.uuid)}`,
    '-uuid',
    ctx.uuid,
    '-machine',
    `${machine},accel=${ctx.accel}`,
    '-cpu',
    ctx.accel === 'kvm' ? 'host' : 'qemu64',
    '-smp',
    String(cpus),
    '-m',
    `${memoryMiB(def)}M`,
    '-nodefaults',
    '-no-user-config',
    '-chardev',
    `socket,id=qmp,path=${optValue(ctx.qmpSocket)},server=on,wait=off`,
    '-mon',
    'chardev=qmp,mode=control',
    '-pidfile',
    ctx.pidFile,
    '-rtc',
    'base=utc',
  ];
  if (firmware === 'efi' || firmware === 'uefi') {
    if (ctx.uefi === undefined) {
      throw new HypervisorError('NOT_SUPPORTED', 'UEFI firmware is not installed on this host', {
        hint: 'apt-get install ovmf',
      });
    }
    argv.push(
      '-drive',
      `if=pflash,format=raw,unit=0,readonly=on,file=${optValue(ctx.uefi.code)}`,
      '-drive',
      `if=pflash,format=raw,unit=1,file=${optValue(ctx.uefi.vars)}`,
    );
  } else if (firmware !== 'bios') {
    throw new HypervisorError('NOT_SUPPORTED', `Unknown firmware "${firmware}"; use bios or efi`);
  }
  const bootOrder = def.system.BootOrder;
  argv.push(
    ...controllerArgs(hw),
    ...driveArgs(hw, ctx.images, Array.isArray(bootOrder) ? bootOrder : []),
    ...nicArgs(hw, ctx.networks ?? new Map()),
    ...serialArgs(hw, ctx.console),
    ...displayArgs(hw, ctx.vncDisplay),
    ...soundArgs(hw),
    '-device',
    'virtio-balloon-pci,id=balloon0',
  );
  return argv;
}
