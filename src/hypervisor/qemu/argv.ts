import {
  bootOrderOf,
  type DeviceView,
  firmwareOf,
  readDevices,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { QEMU_FIRMWARE } from './devices.js';
import {
  type ConsolePaths,
  displayArgs,
  type NetworkConfig,
  nicArgs,
  serialArgs,
  soundArgs,
} from './devices-argv.js';
import { QemuHandles } from './handles.js';
import { optValue } from './options.js';
import { SANDBOX } from './sandbox.js';
import { controllerArgs, type DriveImage, driveArgs, imageNodes } from './storage-argv.js';

/** Everything besides the definition that the command line depends on. */
export interface ArgvContext {
  uuid: string;
  accel: 'kvm' | 'tcg';
  /** Where the host listens for QMP (QEMU inherits the socket). */
  qmpSocket: string;
  /** A second QMP socket, free for the short connections that pass descriptors for hot-plug. */
  fdSocket?: string;
  /** The files and sockets the host opens for QEMU; filled in by {@link buildQemuArgv}. */
  handles?: QemuHandles;
  console: ConsolePaths;
  /** The file QEMU opens for each disk, by InstanceID (an overlay on the image, normally). */
  images: ReadonlyMap<string, DriveImage>;
  networks?: ReadonlyMap<string, NetworkConfig>;
  /** UEFI firmware: the read-only code and this system's copy of the variable store. */
  uefi?: { code: string; vars: string };
}

/** The machine type for a VirtualSystemType: `q35` when it names one, else the i440FX `pc`. */
export function machineFor(def: VirtualSystemDefinition): 'pc' | 'q35' {
  return /q35/i.test(def.system.VirtualSystemType ?? '') ? 'q35' : 'pc';
}

/**
 * The OVMF files when the model's firmware (`firmwareOf`) is EFI, undefined for BIOS (SeaBIOS, built into QEMU);
 * `NOT_SUPPORTED` for a Firmware the model cannot read, or EFI without OVMF installed.
 */
function firmwareFiles(def: VirtualSystemDefinition, ctx: ArgvContext): ArgvContext['uefi'] {
  const { firmware, finding } = firmwareOf(def.system);
  if (finding?.severity === 'error') throw new HypervisorError('NOT_SUPPORTED', finding.message);
  if (QEMU_FIRMWARE[firmware ?? 'bios'] === 'SeaBIOS') return undefined;
  if (ctx.uefi === undefined) {
    throw new HypervisorError('NOT_SUPPORTED', 'UEFI firmware is not installed on this host', {
      hint: 'apt-get install ovmf',
    });
  }
  return ctx.uefi;
}

/** The memory in whole MiB, as QEMU wants it; `NOT_SUPPORTED` for other sizes. */
function memoryMiB(view: DeviceView): bigint {
  const bytes = view.system.memoryBytes;
  if (bytes === undefined) throw new HypervisorError('DEFINITION_INVALID', 'The definition has no memory');
  if (bytes % (1n << 20n) !== 0n) {
    throw new HypervisorError('NOT_SUPPORTED', `QEMU gives memory in whole MiB; ${bytes} bytes is not`);
  }
  return bytes >> 20n;
}

/** QEMU's `bootindex` (1 first) of each drive and NIC the model's boot order (`bootOrderOf`) lists. */
export function bootIndexes(view: DeviceView): Map<string, number> {
  return new Map(bootOrderOf(view).map((d, i) => [d.instanceId, i + 1]));
}

/**
 * Builds the QEMU command line (without the binary) for a definition: the one place the model becomes QEMU's
 * configuration. QEMU runs sandboxed (`-sandbox`, seccomp), with no defaults (`-nodefaults`), and opens no path
 * itself: QMP and the console are sockets the host listens on, images and logs are descriptors the host opened
 * (recorded in `ctx.handles`), base images are read-only block nodes under the VM's own overlay. The first serial
 * port is the console; user-mode networking unless `networks` says otherwise; a balloon device.
 *
 * @example
 * const handles = new QemuHandles();
 * const argv = buildQemuArgv(def, { uuid, accel: 'tcg', qmpSocket, console, images, handles });
 * const opened = await openHandles(handles); // then spawn QEMU with opened.stdio
 */
export function buildQemuArgv(def: VirtualSystemDefinition, ctx: ArgvContext): string[] {
  const h = ctx.handles ?? new QemuHandles();
  const view = readDevices(def);
  const machine = machineFor(def);
  if (machine === 'q35' && view.controllers.some((c) => c.kind === 'ide')) {
    throw new HypervisorError('NOT_SUPPORTED', 'The q35 machine has no IDE controller; use SATA (AHCI)');
  }
  const cpus = view.system.cpus ?? 1;
  const uefi = firmwareFiles(def, ctx);
  const argv = [
    '-sandbox',
    SANDBOX,
    '-name',
    `guest=${optValue(def.system.ElementName ?? ctx.uuid)}`,
    '-uuid',
    ctx.uuid,
    '-machine',
    `${machine},accel=${ctx.accel}${uefi ? ',pflash0=pflash0,pflash1=pflash1' : ''}`,
    '-cpu',
    ctx.accel === 'kvm' ? 'host' : 'qemu64',
    '-smp',
    String(cpus),
    '-m',
    `${memoryMiB(view)}M`,
    '-nodefaults',
    '-no-user-config',
    '-chardev',
    `socket,id=qmp,fd=${h.listen(ctx.qmpSocket)},server=on,wait=off`,
    '-mon',
    'chardev=qmp,mode=control',
  ];
  if (ctx.fdSocket !== undefined) {
    argv.push('-chardev', `socket,id=qmp-fds,fd=${h.listen(ctx.fdSocket)},server=on,wait=off`);
    argv.push('-mon', 'chardev=qmp-fds,mode=control');
  }
  argv.push('-rtc', 'base=utc');
  if (uefi) {
    // The firmware code is shared and read-only; the variable store is this VM's own copy.
    argv.push(
      ...imageNodes(
        h,
        { node: 'pflash0', image: { file: uefi.code, format: 'raw' }, readOnly: true },
        { node: 'pflash1', image: { file: uefi.vars, format: 'raw' }, readOnly: false },
      ),
    );
  }
  const boot = bootIndexes(view);
  argv.push(
    ...controllerArgs(view),
    ...driveArgs(view, ctx.images, boot, h, machine),
    ...nicArgs(view, ctx.networks ?? new Map(), ctx.uuid, boot),
    ...serialArgs(view, ctx.console, h),
    ...displayArgs(view),
    ...soundArgs(view),
    '-device',
    'virtio-balloon-pci,id=balloon0',
  );
  return argv;
}
