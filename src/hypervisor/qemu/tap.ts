import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { NicDevice } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import type { NetworkConfig } from './devices-argv.js';
import { tapName } from './options.js';
import type { QemuUser } from './sandbox.js';

const run = promisify(execFile);

/** A tap device the host makes for a NIC on a bridge network. */
interface Tap {
  name: string;
  bridge: string;
  /** The NIC's InstanceID, for messages. */
  nic: string;
}

/** The taps of a VM's NICs that are on bridge networks (the others need none). */
export function bridgedTaps(
  uuid: string,
  nics: readonly NicDevice[],
  networks: ReadonlyMap<string, NetworkConfig>,
): Tap[] {
  return nics.flatMap((n) => {
    const config = networks.get(n.network ?? 'user');
    return config?.mode === 'bridge'
      ? [{ name: tapName(uuid, n.instanceId), bridge: config.bridge, nic: n.instanceId }]
      : [];
  });
}

async function ip(args: string[]): Promise<void> {
  await run('ip', args, { timeout: 10_000 });
}

/**
 * Creates persistent taps owned by QEMU's user and puts each in its bridge (iproute2), so QEMU attaches to them
 * by name (`-netdev tap,ifname=`) without privileges and without running the bridge helper, a setuid program the
 * sandbox does not let it spawn. QEMU still opens /dev/net/tun, which must be usable by its user (Debian's udev
 * makes it 0666). Needs a root host (CAP_NET_ADMIN); `QEMU_START` naming the NIC when it fails.
 */
export async function createTaps(taps: readonly Tap[], user: QemuUser): Promise<void> {
  for (const t of taps) {
    await ip(['link', 'del', 'dev', t.name]).catch(() => undefined); // left over from a host that died
    const owner =
      user.kind === 'dedicated'
        ? ['user', String(user.uid), 'group', String(user.gid)]
        : user.kind === 'self'
          ? ['user', String(user.uid)]
          : [];
    try {
      await ip(['tuntap', 'add', 'dev', t.name, 'mode', 'tap', ...owner]);
      await ip(['link', 'set', 'dev', t.name, 'master', t.bridge, 'up']);
    } catch (e) {
      await removeTaps(taps);
      const why = ((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n')[0];
      throw new HypervisorError('QEMU_START', `Cannot put NIC "${t.nic}" on bridge "${t.bridge}": ${why}`, {
        hint: 'Bridge networks need a host running as root and an existing bridge',
        cause: e,
      });
    }
  }
}

/** Removes taps; ones that are already gone are skipped. */
export async function removeTaps(taps: readonly Tap[]): Promise<void> {
  for (const t of taps) await ip(['link', 'del', 'dev', t.name]).catch(() => undefined);
}
