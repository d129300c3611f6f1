import { existsSync, readFileSync } from 'node:fs';
import { writeFileDurableSync } from '../../durable/index.js';
import { HypervisorError } from '../errors.js';
import type { NetworkConfig } from './devices-argv.js';

/**
 * The QEMU driver's networks file, `STATE/networks.json`: a NIC's Connection names one, e.g.
 * `{"user": {"mode": "user", "hostForwards": ["tcp:127.0.0.1:2222-:22"]}, "lan": {"mode": "bridge", "bridge": "br0"}}`.
 * The network `user` (user-mode networking, no forwards) is built in when the file does not list it.
 */

/** The network a NIC without a Connection is on, which the driver realises without any configuration. */
export const BUILTIN_NETWORK = 'user';

/**
 * One network's settings checked, as the file or a `networks.define` gives them; `where` names the source in
 * messages.
 *
 * @example
 * networkConfig('lan', { mode: 'bridge', bridge: 'br0' }, 'networks.json'); // { mode: 'bridge', bridge: 'br0' }
 */
export function networkConfig(
  name: string,
  v: Record<string, unknown> | undefined,
  where: string,
): NetworkConfig {
  const mode = v?.mode;
  if (v !== undefined && mode === 'user') {
    const fwd = v.hostForwards ?? [];
    if (
      !Array.isArray(fwd) ||
      !fwd.every((f) => typeof f === 'string' && /^(tcp|udp):127(\.\d{1,3}){3}:\d+-[\d.]*:\d+$/.test(f))
    ) {
      throw new HypervisorError(
        'DRIVER_URI',
        `${where}: "${name}".hostForwards must be like "tcp:127.0.0.1:2222-:22" (forwards listen on the loopback only)`,
      );
    }
    return { mode: 'user', hostForwards: fwd as string[] };
  }
  if (
    v !== undefined &&
    mode === 'bridge' &&
    typeof v.bridge === 'string' &&
    /^[\w.-]{1,15}$/.test(v.bridge)
  ) {
    return { mode: 'bridge', bridge: v.bridge };
  }
  if (mode === 'none') return { mode: 'none' };
  throw new HypervisorError(
    'DRIVER_URI',
    `${where}: network "${name}" needs mode user, bridge (with a bridge name) or none`,
  );
}

/**
 * The networks of `file` when it exists (else none). Names not listed connect to user-mode networking.
 *
 * @example
 * const nets = readNetworks(join(stateDir, 'networks.json'));
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
    out.set(name, networkConfig(name, v, file));
  }
  return out;
}

/**
 * Writes the networks to `file` (a new file renamed over the old one, owner-only), as `readNetworks` reads them.
 *
 * @example
 * writeNetworks(join(stateDir, 'networks.json'), nets);
 */
export function writeNetworks(file: string, nets: ReadonlyMap<string, NetworkConfig>): void {
  writeFileDurableSync(file, `${JSON.stringify(Object.fromEntries(nets), null, 2)}\n`, { mode: 0o600 });
}
