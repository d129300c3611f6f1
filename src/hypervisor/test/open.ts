import { join } from 'node:path';
import { HypervisorError } from '../errors.js';
import type { DriverContext } from '../registry.js';
import { checkParams, type DriverUri, isLocalUri, refuseUri } from '../uri.js';
import { TestDriver } from './driver.js';

/** Where `test:///default?owns=1` keeps its inventory in the host's state directory. */
export const TEST_INVENTORY_FILE = 'test-inventory.json';

/**
 * Opens `test:///default`: the in-memory driver in this process. `?owns=1` makes it own its inventory (kept in
 * `STATE/test-inventory.json`, so it outlives the host as a hypervisor's does). A host part, a transport, another
 * path or parameter is refused, naming the URI.
 *
 * @example
 * const d = await openTestDriver(parseDriverUri('test:///default?owns=1'), { stateDir });
 */
export async function openTestDriver(uri: DriverUri, context: DriverContext): Promise<TestDriver> {
  if (!isLocalUri(uri)) {
    throw refuseUri(
      uri,
      'the test driver runs in this process; it has no host to reach',
      'Use test:///default',
    );
  }
  if (uri.path !== '/default' && uri.path !== '/') {
    throw new HypervisorError('DRIVER_URI', `Unknown test driver path "${uri.path}" in "${uri.text}"`, {
      hint: 'Use test:///default',
    });
  }
  checkParams(uri, ['owns'], 'test');
  const owns = uri.params.get('owns');
  if (owns !== null && owns !== '0' && owns !== '1') {
    throw refuseUri(uri, `owns=${owns} is not 0 or 1`);
  }
  const ownsInventory = owns === '1';
  return new TestDriver(uri.text, {
    ownsInventory,
    ...(ownsInventory && context.stateDir !== undefined
      ? { inventoryFile: join(context.stateDir, TEST_INVENTORY_FILE) }
      : {}),
  });
}
