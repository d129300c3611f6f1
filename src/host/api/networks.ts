import { ApiError, type NetworkInfo, type NetworksApi } from '../../api/index.js';
import type { DriverNetwork } from '../../hypervisor/index.js';
import type { SessionContext } from './context.js';

/**
 * The `networks` namespace of the local host. The host keeps no networks of its own: a NIC's Connection names a
 * network its driver realises (the QEMU driver: STATE/networks.json, read when the host opens). So `list` and
 * `get` read the driver's networks (NOT_SUPPORTED for a driver that has none to show, such as the test driver),
 * and `define` and `remove` are NOT_SUPPORTED: a network changes in the driver's configuration, which takes effect
 * when the host next opens (issue 11's `vessel net` is to manage them).
 *
 * @example
 * for (const n of await networksApi(ctx).list()) console.log(n.name, n.mode);
 */
export function networksApi(ctx: SessionContext): NetworksApi {
  const { driver } = ctx.host;
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
    new ApiError(
      'NOT_SUPPORTED',
      `Cannot ${what}: this host's networks are its driver's configuration, read when the host opens`,
      {
        hint:
          driver.networks === undefined
            ? undefined
            : "Edit the driver's network configuration (QEMU: STATE/networks.json) and restart the host",
      },
    );
  return {
    list: read,
    async get(name) {
      const found = (await read()).find((n) => n.name === name);
      if (found === undefined) {
        throw new ApiError('NOT_FOUND', `No network "${name.slice(0, 64)}"`, {
          hint: 'A NIC whose Connection names no network of the driver connects as the driver does by default (QEMU: user-mode networking)',
          detail: { domain: 'host', code: 'NETWORK_NOT_FOUND' },
        });
      }
      return found;
    },
    async define(n) {
      throw unchangeable(`define the network "${n.name}"`);
    },
    async remove(name) {
      throw unchangeable(`remove the network "${name.slice(0, 64)}"`);
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
