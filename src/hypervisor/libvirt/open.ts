import { connectLibvirt } from '../../libvirt/index.js';
import type { DriverContext } from '../registry.js';
import type { DriverUri } from '../uri.js';
import { LibvirtDriver } from './driver.js';
import { hypervisorError } from './errors.js';

/**
 * Opens `libvirt:<libvirt URI>` (`libvirt:qemu:///system`, `libvirt:test:///default?socket=/tmp/x/libvirt-sock`):
 * connects to libvirtd's unix socket (the default one, or `?socket=PATH` in the libvirt URI as libvirt itself
 * reads it), opens the URI as virsh does, and registers for lifecycle events. Domains are written with
 * `type='qemu'` (TCG) on libvirt's QEMU driver and `type='test'` on its test driver.
 *
 * @example
 * const d = await openLibvirtDriver(parseDriverUri('libvirt:qemu:///system'), {});
 */
export async function openLibvirtDriver(uri: DriverUri, _context: DriverContext): Promise<LibvirtDriver> {
  const target = uri.opaque ?? '';
  let client: Awaited<ReturnType<typeof connectLibvirt>>;
  try {
    client = await connectLibvirt(target);
  } catch (e) {
    throw hypervisorError(e, `Cannot open "${uri.text}"`);
  }
  try {
    const { type } = await client.call('CONNECT_GET_TYPE', undefined);
    const { hv_ver } = await client.call('CONNECT_GET_VERSION', undefined);
    const v = Number(hv_ver);
    const version = `${Math.floor(v / 1_000_000)}.${Math.floor(v / 1000) % 1000}.${v % 1000}`;
    const domainType = type.toLowerCase() === 'qemu' ? 'qemu' : type.toLowerCase();
    const driver = new LibvirtDriver(uri.text, client, { type, version, domainType });
    await driver.watch();
    return driver;
  } catch (e) {
    client.close();
    throw hypervisorError(e, `Cannot open "${uri.text}"`);
  }
}
