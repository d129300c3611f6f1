import { HypervisorError } from './errors.js';
import type { HypervisorDriver } from './types.js';
import { type DriverUri, parseDriverUri } from './uri.js';

/** What a driver factory gets besides its URI: where the host keeps its state. */
export interface DriverContext {
  /** The host's state directory (absolute). Drivers that keep files put them under it. */
  stateDir?: string;
  /** A short directory for unix sockets and pid files (see `runDirFor`). */
  runDir?: string;
}

/**
 * Opens a driver for a parsed URI. A factory refuses with `NOT_SUPPORTED` naming the URI whatever it cannot do
 * (a host part, a transport, an unknown parameter), and with `DRIVER_URI` a path it does not know.
 */
export type DriverFactory = (uri: DriverUri, context: DriverContext) => Promise<HypervisorDriver>;

const factories = new Map<string, DriverFactory>();

/** Registers the factory for a URI scheme such as `test` or `qemu`. */
export function registerDriver(scheme: string, factory: DriverFactory): void {
  factories.set(scheme, factory);
}

/** The schemes that have a driver. */
export function driverSchemes(): string[] {
  return [...factories.keys()].sort();
}

/**
 * Opens the driver for a URI, libvirt-style: parsed by `parseDriverUri` (`DRIVER_URI` when it is not one), then
 * given to the factory of its scheme (`NOT_SUPPORTED` naming the URI when no driver has that scheme).
 *
 * @example
 * const driver = await openDriver('test:///default');
 */
export async function openDriver(uri: string, context: DriverContext = {}): Promise<HypervisorDriver> {
  const u = parseDriverUri(uri);
  const factory = factories.get(u.scheme);
  if (factory === undefined) {
    throw new HypervisorError(
      'NOT_SUPPORTED',
      `Cannot open "${uri}": this Vessel has no "${u.scheme}:" driver; it has ${driverSchemes().join(', ')}`,
    );
  }
  return factory(u, context);
}
