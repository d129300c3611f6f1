import {
  type NetworkInfo,
  NetworkInfoSchema,
  PoolInfoSchema,
  type PoolSpec,
  PoolSpecSchema,
} from '../api/index.js';
import { API_PREFIX, type RestRoute, wire } from './route.js';

/**
 * Changes to the host's networks and storage pools (admins, as METHODS says): define and remove a network, add and
 * remove a pool. Their lists and reads are host routes (routes-host.ts).
 *
 * A pool's folder is a host path: the host takes one only from its own user (a local principal, src/host/api/
 * pools.ts), so over REST, where no caller is local, adding a pool is refused (403) for every path, one that exists
 * or not, after the body's checks (an id or path the schema refuses, a relative path among them, is 400). The
 * answer says nothing of which folders exist.
 */

const at = (kind: 'networks' | 'pools', name: string) => `${API_PREFIX}/${kind}/${encodeURIComponent(name)}`;

/** Routes of POST /networks, DELETE /networks/{name}, POST /pools, DELETE /pools/{id}. */
export const HOST_MANAGE_ROUTES: readonly RestRoute[] = [
  {
    method: 'POST',
    path: '/networks',
    operationId: 'defineNetwork',
    summary:
      'Defines a network (user-mode with loopback forwards, a bridge, or none); systems started afterwards use it',
    calls: 'networks.define',
    body: NetworkInfoSchema,
    responses: {
      201: { description: 'Defined; Location names it', schema: NetworkInfoSchema, headers: ['Location'] },
    },
    handle: async ({ api, body }) => {
      const net = await api.networks.define(body as NetworkInfo);
      return {
        status: 201,
        body: wire('networks.define', net),
        headers: { Location: at('networks', net.name) },
      };
    },
  },
  {
    method: 'DELETE',
    path: '/networks/{name}',
    operationId: 'removeNetwork',
    summary: 'Removes a network; refused (409) while a defined system has a NIC on it',
    calls: 'networks.remove',
    pathParams: { name: 'the network' },
    responses: { 204: { description: 'Removed' } },
    handle: async ({ api, params }) => {
      await api.networks.remove(params.name ?? '');
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    path: '/pools',
    operationId: 'addPool',
    summary:
      "Adds a host folder as a storage pool; only the host's own user may name a host folder, so over REST it is 403",
    calls: 'pools.add',
    body: PoolSpecSchema,
    responses: {
      201: { description: 'Added; Location names it', schema: PoolInfoSchema, headers: ['Location'] },
    },
    handle: async ({ api, body }) => {
      const pool = await api.pools.add(body as PoolSpec);
      return { status: 201, body: wire('pools.add', pool), headers: { Location: at('pools', pool.id) } };
    },
  },
  {
    method: 'DELETE',
    path: '/pools/{id}',
    operationId: 'removePool',
    summary:
      'Removes a storage pool (its folder and files are kept); refused (409) while a defined system uses an image in it',
    calls: 'pools.remove',
    pathParams: { id: 'the pool' },
    responses: { 204: { description: 'Removed' } },
    handle: async ({ api, params }) => {
      await api.pools.remove(params.id ?? '');
      return { status: 204 };
    },
  },
];
