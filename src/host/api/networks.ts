import { ApiError, type NetworkInfo, type NetworksApi } from '../../api/index.js';
import type { DriverNetwork } from '../../hypervisor/index.js';
import { readDevices } from '../../model/index.js';
import type { SessionContext } from './context.js';

/**
 * The `networks` namespace of the local host. A NIC's Connection names a network its driver realises (the QEMU
 * driver: STATE/networks.json and the built-in `user`; the test driver: the same, in memory). `list` and `get`
 * read the driver's networks (NOT_SUPPORTED for a driver that has none to show); `define` and `remove` change
 * them where the driver can (NOT_SUPPORTED elsewhere). A network a defined system's NIC names is not removed; a
 * changed network applies to systems started (and NICs plugged in) afterwards.
 *
 * @example
 * for (const n of await networksApi(ctx).list()) console.log(n.name, n.mode);
 */
export function networksApi(ctx: SessionContext): NetworksApi {
  const { host } = ctx;
  const { driver } = host;
  const read = async (): Promise<NetworkInfo[]> => {
    if (driver.networks === undefined) {
      throw new ApiError('NOT_SUPPORTED', `The driver ${driver.uri} has no networks to show`, {
        hint: 'Its NICs connect as the driver does by itself',
      });
    }
    // A name the Api cannot carry (the driver's file is hand-written) is left out rather than breaking every list.
    return (await driver.networks()).filter((n) => NAME.test(n.name)).map(toInfo);
  };
  const unchangeable = (what: string) =>
    new ApiError('NOT_SUPPORTED', `Cannot ${what}: the driver ${driver.uri} does not manage networks`, {
      hint:
        driver.networks === undefined
          ? undefined
          : "Edit the driver's network configuration and restart the host",
    });
  const get = async (name: string): Promise<NetworkInfo> => {
    const all = await read();
    const found = all.find((n) => n.name === name);
    if (found === undefined) {
      throw new ApiError('NOT_FOUND', `No network "${name.slice(0, 64)}"`, {
        hint: `The networks are: ${all.map((n) => n.name).join(', ')} (vessel net list)`,
        detail: { domain: 'host', code: 'NETWORK_NOT_FOUND' },
      });
    }
    return found;
  };
  return {
    list: read,
    get,
    async define(n) {
      if (driver.defineNetwork === undefined) throw unchangeable(`define the network "${n.name}"`);
      if ((await read()).some((x) => x.name === n.name)) {
        throw new ApiError('ALREADY_EXISTS', `Cannot define the network "${n.name}": it exists`, {
          hint: `Remove it first: vessel net remove ${n.name}`,
        });
      }
      await driver.defineNetwork(n);
      return get(n.name);
    },
    async remove(name) {
      if (driver.removeNetwork === undefined) throw unchangeable(`remove the network "${name.slice(0, 64)}"`);
      await get(name);
      await host.list(); // a driver that owns its inventory is asked first, so that "in use" sees every system
      const users = host.store
        .listVms()
        .filter((vm) => readDevices(vm.definition).nics.some((nic) => (nic.network ?? 'user') === name))
        .map((vm) => `"${vm.name}"`);
      if (users.length > 0) {
        throw new ApiError(
          'INVALID_STATE',
          `Cannot remove the network "${name}": in use by ${users.join(', ')}`,
          {
            hint: 'Undefine those systems, or connect their NICs to another network, first',
          },
        );
      }
      await driver.removeNetwork(name);
    },
  };
}

/** The Api's network names (NetworkName). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A driver's network as the Api shows it. */
function toInfo(n: DriverNetwork): NetworkInfo {
  switch (n.mode) {
    case 'user':
      return {
        name: n.name,
        mode: 'user',
        ...(n.hostForwards === undefined ? {} : { hostForwards: n.hostForwards }),
      };
    case 'bridge':
      return { name: n.name, mode: 'bridge', bridge: n.bridge };
    case 'none':
      return { name: n.name, mode: 'none' };
  }
}
