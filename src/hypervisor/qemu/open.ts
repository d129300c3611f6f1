import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HypervisorError } from '../errors.js';
import { findTestGuest } from '../guest.js';
import type { DriverContext } from '../registry.js';
import { runDirFor } from '../rundir.js';
import { checkParams, type DriverUri, isLocalUri, refuseUri } from '../uri.js';
import { type AccelVerdict, probeAccelerator } from './accel.js';
import { qemuBinary, qemuVersion } from './binary.js';
import type { NetworkConfig } from './devices-argv.js';
import { QemuDriver } from './driver.js';
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

/**
 * The host's networks, from `STATE/networks.json` when it exists: a NIC's Connection names one, e.g.
 * `{"user": {"mode": "user", "hostForwards": ["tcp:127.0.0.1:2222-:22"]}, "lan": {"mode": "bridge", "bridge": "br0"}}`.
 * Names not listed are user-mode networks without forwards.
 */
export function readNetworks(file: string): Map<string, NetworkConfig> {
  if (!existsSync(file)) return new Map();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new HypervisorError('DRIVER_URI', `${file} is not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HypervisorError('DRIVER_URI', `${file} must map network names to settings`);
  }
  const out = new Map<string, NetworkConfig>();
  for (const [name, v] of Object.entries(raw as Record<string, Record<string, unknown>>)) {
    const mode = v?.mode;
    if (mode === 'user') {
      const fwd = v.hostForwards ?? [];
      if (
        !Array.isArray(fwd) ||
        !fwd.every((f) => typeof f === 'string' && /^(tcp|udp):127(\.\d{1,3}){3}:\d+-[\d.]*:\d+$/.test(f))
      ) {
        throw new HypervisorError(
          'DRIVER_URI',
          `${file}: "${name}".hostForwards must be like "tcp:127.0.0.1:2222-:22" (forwards listen on the loopback only)`,
        );
      }
      out.set(name, { mode: 'user', hostForwards: fwd as string[] });
    } else if (mode === 'bridge' && typeof v.bridge === 'string' && /^[\w.-]{1,15}$/.test(v.bridge)) {
      out.set(name, { mode: 'bridge', bridge: v.bridge });
    } else if (mode === 'none') {
      out.set(name, { mode: 'none' });
    } else {
      throw new HypervisorError(
        'DRIVER_URI',
        `${file}: network "${name}" needs mode user, bridge (with a bridge name) or none`,
      );
    }
  }
  return out;
}
