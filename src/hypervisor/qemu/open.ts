import { join } from 'node:path';
import { HypervisorError } from '../errors.js';
import { findTestGuest } from '../guest.js';
import type { DriverContext } from '../registry.js';
import { runDirFor } from '../rundir.js';
import { checkParams, type DriverUri, isLocalUri, refuseUri } from '../uri.js';
import { type AccelVerdict, probeAccelerator } from './accel.js';
import { qemuBinary, qemuVersion } from './binary.js';
import { QemuDriver } from './driver.js';
import { readNetworks } from './networks.js';
import { DEFAULT_QEMU_USER, resolveQemuUser } from './sandbox.js';

/**
 * Opens `qemu:///embed` (also `qemu:///session`, `qemu:///system`): QEMU from `$VESSEL_QEMU` or PATH, the
 * accelerator from `?accel=kvm|tcg|auto` (auto: probed once and cached in the state directory), and QEMU's user:
 * on a root host the system user `$VESSEL_QEMU_USER` (default `vessel-qemu`), else the host's own user. The
 * embedded driver runs QEMU on this machine: a URI with a host or transport (`qemu+ssh://h/system`) is refused
 * with `NOT_SUPPORTED` naming it (a remote libvirt is the libvirt driver's, `libvirt:qemu+ssh://h/system`).
 *
 * @example
 * const driver = await openQemuDriver(parseDriverUri('qemu:///embed?accel=tcg'), { stateDir: '/var/lib/vessel' });
 */
export async function openQemuDriver(uri: DriverUri, context: DriverContext): Promise<QemuDriver> {
  if (!isLocalUri(uri)) {
    throw refuseUri(
      uri,
      'the embedded QEMU driver runs QEMU on this machine only; it cannot reach another host',
      'Run a Vessel host there and connect to it, or use qemu:///embed here',
    );
  }
  if (!['/embed', '/session', '/system', '/'].includes(uri.path)) {
    throw new HypervisorError('DRIVER_URI', `Unknown QEMU driver path "${uri.path}"; use qemu:///embed`);
  }
  checkParams(uri, ['accel'], 'QEMU');
  if (context.stateDir === undefined) {
    throw new HypervisorError('DRIVER_URI', 'The QEMU driver needs a state directory');
  }
  const binary = qemuBinary();
  const version = await qemuVersion(binary);
  const wanted = uri.params.get('accel') ?? 'auto';
  const userName = process.env.VESSEL_QEMU_USER ?? DEFAULT_QEMU_USER;
  const probeUser = await resolveQemuUser(userName, true);
  let accel: AccelVerdict;
  if (wanted === 'tcg' || wanted === 'kvm') {
    accel = {
      accel: wanted,
      reason: `asked for by the driver URI (accel=${wanted})`,
      qemuVersion: version,
      kernel: '',
    };
  } else if (wanted === 'auto') {
    const guest = findTestGuest();
    accel = await probeAccelerator({
      binary,
      qemuVersion: version,
      cacheFile: join(context.stateDir, 'accel.json'),
      user: probeUser,
      ...(guest === undefined ? {} : { guest: { disk: guest.disk, marker: guest.markers.up } }),
    });
  } else {
    throw new HypervisorError('DRIVER_URI', `accel=${wanted} is not one of kvm, tcg, auto`);
  }
  return new QemuDriver({
    uri: uri.text,
    binary,
    version,
    accel,
    stateDir: context.stateDir,
    runDir: context.runDir ?? runDirFor(context.stateDir),
    user: accel.accel === 'kvm' ? probeUser : await resolveQemuUser(userName, false),
    networks: readNetworks(join(context.stateDir, 'networks.json')),
  });
}

export { readNetworks } from './networks.js';
