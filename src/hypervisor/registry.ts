import { HypervisorError } from './errors.js';
import type { HypervisorDriver } from './types.js';

/** What a driver factory gets besides its URI: where the host keeps its state. */
export interface DriverContext {
  /** The host's state directory (absolute). Drivers that keep files put them under it. */
  stateDir?: string;
  /** A short directory for unix sockets and pid files (see `runDirFor`). */
  runDir?: string;
}

/** Opens a driver for a parsed URI. */
export type DriverFactory = (uri: URL, context: DriverContext) => Promise<HypervisorDriver>;

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
 * Parses a driver URI (`test:///default`, `qemu:///embed?accel=tcg`), refusing what is not one.
 *
 * @example
 * parseDriverUri('qemu:///embed').protocol; // 'qemu:'
 */
export function parseDriverUri(uri: string): URL {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new HypervisorError('DRIVER_URI', `"${uri}" is not a driver URI`, {
      hint: 'Use test:///default or qemu:///embed',
    });
  }
  if (u.host !== '') {
    throw new HypervisorError(
      'DRIVER_URI',
      `"${uri}": remote hosts are not supported; use ${u.protocol}///...`,
    );
  }
  return u;
}

/**
 * Opens the driver for a URI, libvirt-style.
 *
 * @example
 * const driver = await openDriver('test:///default');
 */
export async function openDriver(uri: string, context: DriverContext = {}): Promise<HypervisorDriver> {
  const u = parseDriverUri(uri);
  const scheme = u.protocol.slice(0, -1);
  const factory = factories.get(scheme);
  if (factory === undefined) {
    throw new HypervisorError(
      'DRIVER_URI',
      `No driver for "${scheme}:" URIs; known: ${driverSchemes().join(', ')}`,
    );
  }
  return factory(u, context);
}
