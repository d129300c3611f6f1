import { type StaticDecode, Type } from '@sinclair/typebox';
import { Strict } from './schema.js';

/**
 * Host networks: how a NIC's Connection name is realised (today STATE/networks.json: user-mode with forwards, a
 * bridge, or nothing). Issue 11's `vessel net` manages them.
 */

/** A network name: 1 to 64 letters, digits, `.`, `_`, `-`; starts with a letter or digit. */
export const NetworkName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });

/** Wire schema of {@link NetworkInfo}. */
export const NetworkInfoSchema = Type.Union([
  Strict({
    name: NetworkName,
    mode: Type.Literal('user'),
    /** QEMU hostfwd rules, e.g. `tcp::2222-:22`. */
    hostForwards: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 256 })),
  }),
  Strict({
    name: NetworkName,
    mode: Type.Literal('bridge'),
    bridge: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$' }),
  }),
  Strict({ name: NetworkName, mode: Type.Literal('none') }),
]);

/** A network and how it is realised. */
export type NetworkInfo = StaticDecode<typeof NetworkInfoSchema>;

/**
 * The networks of a host.
 *
 * @example
 * await api.networks.define({ name: 'lan', mode: 'bridge', bridge: 'br0' });
 */
export interface NetworksApi {
  list(): Promise<NetworkInfo[]>;
  get(name: string): Promise<NetworkInfo>;
  define(n: NetworkInfo): Promise<NetworkInfo>;
  remove(name: string): Promise<void>;
}
