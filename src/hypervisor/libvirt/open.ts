import { connectLibvirt, type LibvirtClient } from '../../libvirt/index.js';
import { HypervisorError } from '../errors.js';
import type { DriverContext } from '../registry.js';
import type { DriverUri } from '../uri.js';
import { parseDomainCaps } from './domcaps.js';
import { LibvirtDriver } from './driver.js';
import { hypervisorError } from './errors.js';

/**
 * Opens `libvirt:<libvirt URI>` (`libvirt:qemu:///system`, `libvirt:test:///default?socket=/tmp/x/libvirt-sock`):
 * connects to libvirtd's unix socket (the default one, or `?socket=PATH` in the libvirt URI as libvirt itself
 * reads it), opens the URI as virsh does, and registers for lifecycle events. Domains are written with
 * `type='qemu'` (TCG) on libvirt's QEMU driver and `type='test'` on its test driver. The driver reopens the same
 * URI when libvirtd goes away (see LibvirtDriver). Over TCP and TLS too (`qemu+tcp://`, `qemu+tls://`, see
 * src/libvirt's connect.ts). The host's state directory keeps the journal of unfinished volume uploads.
 *
 * @example
 * const d = await openLibvirtDriver(parseDriverUri('libvirt:qemu:///system'), {});
 */
export async function openLibvirtDriver(uri: DriverUri, context: DriverContext): Promise<LibvirtDriver> {
  const target = uri.opaque ?? '';
  let client: LibvirtClient;
  try {
    client = await connectLibvirt(target);
  } catch (e) {
    const mapped = hypervisorError(e, `Cannot open "${uri.text}"`);
    // At open there is nothing to reconnect: libvirtd is not there.
    if (mapped instanceof HypervisorError && mapped.code === 'LIBVIRT_DISCONNECTED') {
      throw new HypervisorError('LIBVIRT_FAILED', mapped.message, {
        cause: e,
        hint: 'Is libvirtd running (with --listen for tcp and tls)? Name its socket with ?socket=PATH in the libvirt URI',
      });
    }
    throw mapped;
  }
  try {
    const { type } = await client.call('CONNECT_GET_TYPE', undefined);
    const { hv_ver } = await client.call('CONNECT_GET_VERSION', undefined);
    const v = Number(hv_ver);
    const version = `${Math.floor(v / 1_000_000)}.${Math.floor(v / 1000) % 1000}.${v % 1000}`;
    const domainType = type.toLowerCase() === 'qemu' ? 'qemu' : type.toLowerCase();
    // The domain capabilities of what the driver writes (TCG x86_64 domains); libvirt's test driver has none.
    const domainCaps =
      domainType === 'qemu'
        ? await client
            .call('CONNECT_GET_DOMAIN_CAPABILITIES', {
              emulatorbin: undefined,
              arch: 'x86_64',
              machine: undefined,
              virttype: 'qemu',
              flags: 0,
            })
            .then(
              (r) => parseDomainCaps(r.capabilities),
              () => undefined,
            )
        : undefined;
    const driver = new LibvirtDriver(
      uri.text,
      client,
      { type, version, domainType, domainCaps },
      {
        reopen: () => connectLibvirt(target),
        ...(context.stateDir === undefined ? {} : { stateDir: context.stateDir }),
      },
    );
    await driver.watch();
    return driver;
  } catch (e) {
    client.close();
    throw hypervisorError(e, `Cannot open "${uri.text}"`);
  }
}
